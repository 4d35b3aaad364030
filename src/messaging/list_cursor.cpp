#include "logistics/messaging/list_cursor.hpp"

#include <array>
#include <cctype>

#include "logistics/common/uuid.hpp"
#include "logistics/json/object_writer.hpp"

namespace logistics::messaging {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kPrefix = "k1:";
constexpr std::string_view kRowPrefix = "r1:";

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::string EncodeListCursor(std::string_view last_id) {
  return Base64UrlEncode(std::string(kPrefix) + std::string(last_id));
}

std::optional<std::string> DecodeListCursor(std::string_view cursor) {
  if (cursor.size() > 128) return std::nullopt;
  auto decoded = Base64UrlDecode(cursor);
  if (!decoded || !decoded->starts_with(kPrefix)) return std::nullopt;
  std::string id = decoded->substr(kPrefix.size());
  if (!common::IsUuid(id)) return std::nullopt;
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return id;
}

std::string EncodeRowCursor(std::int64_t last_row_id) {
  return Base64UrlEncode(std::string(kRowPrefix) + std::to_string(last_row_id));
}

std::optional<std::int64_t> DecodeRowCursor(std::string_view cursor) {
  if (cursor.size() > 64) return std::nullopt;
  auto decoded = Base64UrlDecode(cursor);
  if (!decoded || !decoded->starts_with(kRowPrefix)) return std::nullopt;
  const std::string_view digits = std::string_view(*decoded).substr(kRowPrefix.size());
  if (digits.empty() || digits.size() > 18 || digits.front() == '0') return std::nullopt;
  std::int64_t row = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    row = row * 10 + (c - '0');
  }
  return row;
}

std::string ListPageReply(std::string_view items_key, const std::vector<std::string>& items,
                          std::optional<std::string_view> next_after) {
  std::string listed = "[";
  for (const auto& item : items) {
    if (listed.size() > 1) listed += ',';
    listed += item;
  }
  listed += ']';
  std::string body;
  json::ObjectWriter reply(body);
  reply.Raw(items_key, listed);
  if (next_after) {
    reply.String("next_cursor", EncodeListCursor(*next_after));
  } else {
    reply.Null("next_cursor");
  }
  reply.Close();
  return body;
}

}  // namespace logistics::messaging
