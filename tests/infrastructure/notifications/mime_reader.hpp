// MimeReader: just enough of an RFC 5322 / MIME reader for the notifications
// tests to check what the service writes, independently of the code that
// writes it (encoded words and quoted-printable are decoded here from
// scratch, base64 included).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logistics::testing {

struct ParsedMail {
  std::vector<std::string> header_lines;       // raw physical lines, without CRLF
  std::map<std::string, std::string> headers;  // unfolded values, by name as written
  std::vector<std::string> header_order;       // names in the order they appear
  std::string body;                            // raw, after the blank line
  bool crlf_only = true;                       // no bare CR or LF anywhere
};

inline ParsedMail ReadMimeMessage(std::string_view raw) {
  ParsedMail message;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) message.crlf_only = false;
    if (raw[i] == '\r' && (i + 1 == raw.size() || raw[i + 1] != '\n')) message.crlf_only = false;
  }
  const std::size_t end = raw.find("\r\n\r\n");
  const std::string_view head = raw.substr(0, end);
  message.body = end == std::string_view::npos ? "" : std::string(raw.substr(end + 4));
  std::size_t start = 0;
  while (start <= head.size()) {
    const std::size_t stop = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, stop == std::string_view::npos ? head.npos : stop - start);
    message.header_lines.emplace_back(line);
    if (stop == std::string_view::npos) break;
    start = stop + 2;
  }
  std::string current;
  for (const std::string& line : message.header_lines) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      message.headers[current] += line;  // unfold: drop the CRLF, keep the space
      continue;
    }
    const std::size_t colon = line.find(':');
    current = line.substr(0, colon);
    message.header_order.push_back(current);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    message.headers[current] = value;
  }
  return message;
}

inline std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// A header value with its "=?UTF-8?B?...?=" words decoded; white space
// between two adjacent encoded words disappears (RFC 2047 §6.2).
inline std::string DecodeHeaderValue(std::string_view value) {
  std::string out;
  std::string pending_space;
  bool last_was_word = false;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] == ' ' || value[i] == '\t') {
      pending_space += value[i++];
      continue;
    }
    if (value.substr(i, 10) == "=?UTF-8?B?") {
      const std::size_t close = value.find("?=", i + 10);
      if (close != std::string_view::npos) {
        const auto decoded = DecodeBase64(value.substr(i + 10, close - i - 10));
        if (decoded) {
          if (!last_was_word) out += pending_space;
          pending_space.clear();
          out += *decoded;
          last_was_word = true;
          i = close + 2;
          continue;
        }
      }
    }
    out += pending_space;
    pending_space.clear();
    out += value[i++];
    last_was_word = false;
  }
  return out + pending_space;
}

// Quoted-printable decoded from scratch: soft breaks go, "=XX" become bytes.
inline std::optional<std::string> DecodeQuotedPrintableForTest(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
      continue;
    }
    if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const std::string hex(text.substr(i + 1, 2));
    if (hex.find_first_not_of("0123456789ABCDEF") != std::string::npos) return std::nullopt;
    out += static_cast<char>(std::stoi(hex, nullptr, 16));
    i += 2;
  }
  return out;
}

// "\r\n" -> "\n", to compare a decoded body with a Mail's.
inline std::string WithLf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

}  // namespace logistics::testing
