// Mail: one plain-text message to one customer, before any wire encoding.
//
// Every field is UTF-8 text as a person would read it: the subject and body
// are not encoded, the body's lines end in "\n" (not CRLF), and nothing is
// escaped. Turning a Mail into an RFC 5322 message (headers, encoded words,
// quoted-printable, CRLF) is the infrastructure's job (mime_message.hpp), and
// so is refusing an address that cannot be used.
//
// Thread-safety: a plain value.
#pragma once

#include <string>

namespace logistics::notifications::domain {

struct Mail {
  std::string to_address;  // "ana@example.com"
  std::string to_name;     // "Ana Núñez"; may be empty
  std::string subject;     // one line
  std::string body;        // lines separated by "\n", ending with "\n"

  bool operator==(const Mail&) const = default;
};

}  // namespace logistics::notifications::domain
