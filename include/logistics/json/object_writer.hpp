// ObjectWriter: one JSON object written straight into a string.
//
// The hot paths (an order or payment in a reply and in its CloudEvent) used to
// build an nlohmann tree and dump it, twice per command: a fifth of the
// writer thread's instructions went to allocating and freeing tree nodes
// (measured with callgrind). This writes the same compact text directly, with
// members in call order, and escapes strings exactly as Serialize does
// (json_text.hpp), so the bytes on the wire do not change. Text that is not
// valid UTF-8 takes the Serialize path, which replaces bad bytes with U+FFFD.
//
// Usage:
//   std::string text;
//   json::ObjectWriter(text).String("order_id", id).Integer("version", 3).Close();
//
// Thread-safety: none; one writer per string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logistics::json {

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out);  // appends '{'

  ObjectWriter& String(std::string_view key, std::string_view value);
  // The string, or null when absent.
  ObjectWriter& OptionalString(std::string_view key, const std::optional<std::string>& value);
  ObjectWriter& Integer(std::string_view key, std::int64_t value);
  ObjectWriter& Null(std::string_view key);
  // `json` must already be one valid JSON value (an object, a number, ...).
  ObjectWriter& Raw(std::string_view key, std::string_view json);
  void Close();  // appends '}'

 private:
  void Key(std::string_view key);

  std::string& out_;
  bool first_ = true;
};

// `text` as a JSON string literal (quotes included), appended to `out`.
void AppendQuoted(std::string& out, std::string_view text);

}  // namespace logistics::json
