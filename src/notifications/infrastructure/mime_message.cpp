#include "logistics/notifications/infrastructure/mime_message.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

namespace logistics::notifications::infrastructure {
namespace {

// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters.
constexpr std::size_t kMaxHeaderLine = 78;
// 39 bytes make 52 base64 characters, and "=?UTF-8?B?" + 52 + "?=" is 64:
// under RFC 2047's 75 for a word, and "Subject: " plus one word fits in 78.
constexpr std::size_t kEncodedWordBytes = 39;
// RFC 2045 §6.7 (5): encoded lines are at most 76 characters, the soft
// break's '=' included.
constexpr std::size_t kMaxQuotedPrintableLine = 76;

constexpr char kHex[] = "0123456789ABCDEF";

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

bool IsPrintableAscii(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7E) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(' ');
  return text.substr(first, last - first + 1);
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned triple = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(triple >> 18) & 0x3F];
    out += kAlphabet[(triple >> 12) & 0x3F];
    out += kAlphabet[(triple >> 6) & 0x3F];
    out += kAlphabet[triple & 0x3F];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned triple = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) triple |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(triple >> 18) & 0x3F];
    out += kAlphabet[(triple >> 12) & 0x3F];
    out += rest == 2 ? kAlphabet[(triple >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 §5: each encoded word must hold whole characters, so chunks end
// before a UTF-8 continuation byte.
std::vector<std::string> EncodedWords(std::string_view text) {
  std::vector<std::string> words;
  std::size_t position = 0;
  while (position < text.size()) {
    std::size_t end = std::min(position + kEncodedWordBytes, text.size());
    while (end < text.size() && end > position &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (end == position) end = std::min(position + kEncodedWordBytes, text.size());  // ill-formed
    words.push_back("=?UTF-8?B?" + Base64(text.substr(position, end - position)) + "?=");
    position = end;
  }
  return words;
}

// Joins tokens with single spaces after "<header_name>: ", starting a
// continuation line (CRLF + space, RFC 5322 §2.2.3 folding) before a token
// that would pass the line limit.
std::string Fold(std::string_view header_name, const std::vector<std::string>& tokens) {
  std::string out;
  std::size_t column = header_name.size() + 2;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) {
      if (column + 1 + tokens[i].size() > kMaxHeaderLine) {
        out += "\r\n ";
        column = 1;
      } else {
        out += ' ';
        ++column;
      }
    }
    out += tokens[i];
    column += tokens[i].size();
  }
  return out;
}

// Plain ASCII text that a reader would not mistake for an encoded word.
bool CanStayAsIs(std::string_view text) {
  return IsPrintableAscii(text) && text.find("=?") == std::string_view::npos;
}

std::string QuotedString(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void AppendEncodedLine(std::string_view line, std::string& out) {
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    // White space at the end of a line may be stripped in transport, so it
    // is encoded there (RFC 2045 §6.7 (3)).
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    if (column + (literal ? 1 : 3) > kMaxQuotedPrintableLine - 1) {
      out += "=\r\n";
      column = 0;
    }
    // A '.' opening a line would need SMTP dot-stuffing; encoding it makes
    // the message safe with any transport.
    if (c == '.' && column == 0) literal = false;
    if (literal) {
      out += static_cast<char>(c);
      column += 1;
    } else {
      out += '=';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
      column += 3;
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool IsUsableAddress(std::string_view address) {
  if (address.size() < 3 || address.size() > 254) return false;
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  static constexpr std::string_view kForbidden = " <>(),;:\"\\[]";
  for (const char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) return false;
    if (kForbidden.find(c) != std::string_view::npos) return false;
  }
  return true;
}

std::string SanitizeHeaderValue(std::string_view value) {
  std::string clean;
  clean.reserve(value.size());
  bool in_controls = false;
  for (const char c : value) {
    if (IsControl(static_cast<unsigned char>(c))) {
      if (!in_controls) clean += ' ';  // a CRLF becomes one space, not two
      in_controls = true;
    } else {
      clean += c;
      in_controls = false;
    }
  }
  return clean;
}

std::string EncodeHeaderText(std::string_view header_name, std::string_view text) {
  std::string clean = SanitizeHeaderValue(text);
  if (CanStayAsIs(clean) && header_name.size() + 2 + clean.size() <= kMaxHeaderLine) return clean;
  return Fold(header_name, EncodedWords(clean));
}

std::string FormatMailbox(std::string_view header_name, std::string_view name,
                          std::string_view address) {
  std::string angle_address = "<" + SanitizeHeaderValue(address) + ">";
  const std::string clean_name = SanitizeHeaderValue(name);
  const std::string_view trimmed = Trim(clean_name);
  if (trimmed.empty()) return angle_address;

  std::vector<std::string> tokens;
  const std::string quoted = QuotedString(trimmed);
  if (CanStayAsIs(trimmed) && header_name.size() + 2 + quoted.size() <= kMaxHeaderLine) {
    tokens.push_back(quoted);
  } else {
    tokens = EncodedWords(trimmed);
  }
  tokens.push_back(angle_address);
  return Fold(header_name, tokens);
}

std::string FormatRfc5322Date(common::Timestamp time) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const weekday week_day{day};
  const hh_mm_ss clock{floor<seconds>(time - day)};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                kDays[week_day.c_encoding()], static_cast<unsigned>(date.day()),
                kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

std::string EncodeQuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find_first_of("\r\n", start);
    AppendEncodedLine(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start),
        out);
    if (end == std::string_view::npos) break;
    out += "\r\n";
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') ++start;
  }
  return out;
}

std::optional<std::string> DecodeQuotedPrintable(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '=') {
      out += encoded[i];
      continue;
    }
    if (encoded.substr(i + 1, 2) == "\r\n") {  // soft line break
      i += 2;
      continue;
    }
    if (i + 2 >= encoded.size()) return std::nullopt;
    const int high = HexValue(encoded[i + 1]);
    const int low = HexValue(encoded[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string FormatMimeMessage(const domain::Mail& mail, const MailFrom& from,
                              std::string_view message_id, common::Timestamp date) {
  std::string message;
  const auto header = [&message](std::string_view name, std::string_view value) {
    message += name;
    message += ": ";
    message += value;
    message += "\r\n";
  };
  header("Date", FormatRfc5322Date(date));
  header("From", FormatMailbox("From", from.name, from.address));
  header("To", FormatMailbox("To", mail.to_name, mail.to_address));
  header("Subject", EncodeHeaderText("Subject", mail.subject));
  header("Message-ID", SanitizeHeaderValue(message_id));
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=UTF-8");
  header("Content-Transfer-Encoding", "quoted-printable");
  header("Auto-Submitted", "auto-generated");
  message += "\r\n";
  message += EncodeQuotedPrintable(mail.body);
  if (message.size() < 2 || message.compare(message.size() - 2, 2, "\r\n") != 0) message += "\r\n";
  return message;
}

}  // namespace logistics::notifications::infrastructure
