#include "logistics/json/object_writer.hpp"

#include "logistics/common/utf8.hpp"
#include "logistics/json/json_text.hpp"

namespace logistics::json {

void AppendQuoted(std::string& out, std::string_view text) {
  if (!common::CountCodePoints(text)) {  // ill-formed UTF-8: nlohmann's replacement rules
    out += Serialize(nlohmann::json(std::string(text)));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

ObjectWriter::ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }

void ObjectWriter::Key(std::string_view key) {
  if (!first_) out_ += ',';
  first_ = false;
  AppendQuoted(out_, key);
  out_ += ':';
}

ObjectWriter& ObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendQuoted(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::OptionalString(std::string_view key,
                                           const std::optional<std::string>& value) {
  return value ? String(key, *value) : Null(key);
}

ObjectWriter& ObjectWriter::Integer(std::string_view key, std::int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}

ObjectWriter& ObjectWriter::Null(std::string_view key) {
  Key(key);
  out_ += "null";
  return *this;
}

ObjectWriter& ObjectWriter::Raw(std::string_view key, std::string_view json) {
  Key(key);
  out_ += json;
  return *this;
}

void ObjectWriter::Close() { out_ += '}'; }

}  // namespace logistics::json
