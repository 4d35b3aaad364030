// MimeMessage: a Mail as an RFC 5322 / MIME message, ready for SMTP DATA or an
// .eml file.
//
//   Date: Thu, 01 Jan 2026 00:00:00 +0000            (RFC 5322 §3.3, UTC)
//   From: "Logistics" <noreply@logistics.example>
//   To: =?UTF-8?B?QW5hIE7DusOxZXo=?= <ana@example.com>
//   Subject: Your order TRK-1 was created
//   Message-ID: <event-id@logistics.example>
//   MIME-Version: 1.0
//   Content-Type: text/plain; charset=UTF-8
//   Content-Transfer-Encoding: quoted-printable
//   Auto-Submitted: auto-generated                   (RFC 3834: no auto-replies)
//
//   <the body, quoted-printable>
//
// Every line ends in CRLF and no line is longer than 78 characters. Header
// text that is not printable ASCII (or would not fit on its line, or looks
// like an encoded word) becomes RFC 2047 encoded words "=?UTF-8?B?...?=",
// split between whole UTF-8 characters and folded. A display name that stays
// ASCII is a quoted-string. The body is quoted-printable (RFC 2045 §6.7): any
// line break becomes CRLF, bytes outside printable ASCII and '=' become "=XX",
// white space at a line's end and a '.' at its start are encoded, and long
// lines get soft breaks, so the message is 7-bit clean whatever the text.
//
// Header injection is impossible: CR, LF and the other control characters in
// a header value are replaced by spaces before anything else, so a value can
// never start a new header line; addresses must pass IsUsableAddress.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/time.hpp"
#include "logistics/notifications/domain/mail.hpp"

namespace logistics::notifications::infrastructure {

// Whom mails are from.
struct MailFrom {
  std::string address;  // "noreply@logistics.example"
  std::string name;     // "Logistics"; may be empty
};

// The whole message. Precondition: IsUsableAddress(mail.to_address) and
// IsUsableAddress(from.address) (the senders check and refuse otherwise);
// message_id is "<...>" as MessageIdFor makes it. Never fails.
std::string FormatMimeMessage(const domain::Mail& mail, const MailFrom& from,
                              std::string_view message_id, common::Timestamp date);

// True for an address SMTP can carry without extensions: 3..254 bytes, one
// '@' with something on both sides, printable ASCII only, and none of
// space, '<', '>', '(', ')', ',', ';', ':', '"', '\\', '[', ']'. An address
// with non-ASCII characters (which would need SMTPUTF8) is not usable.
bool IsUsableAddress(std::string_view address);

// `value` with every CR, LF and other control character (tab included)
// replaced by a space.
std::string SanitizeHeaderValue(std::string_view value);

// The text of an unstructured header (Subject) after "<name>: ": as it is
// when it is printable ASCII, holds no "=?" and fits; else encoded words,
// folded with CRLF + space. `header_name` is used only to count the first
// line's length.
std::string EncodeHeaderText(std::string_view header_name, std::string_view text);

// `"Name" <address>`, `=?UTF-8?B?...?= <address>` or `<address>` when the name
// is empty, folded to fit. `header_name` as above.
std::string FormatMailbox(std::string_view header_name, std::string_view name,
                          std::string_view address);

// "Thu, 01 Jan 2026 00:00:00 +0000".
std::string FormatRfc5322Date(common::Timestamp time);

// Quoted-printable of `text`, whose line breaks ("\n", "\r\n" or "\r") become
// CRLF; encoded lines are at most 76 characters.
std::string EncodeQuotedPrintable(std::string_view text);

// The inverse: soft breaks removed, "=XX" (either case) decoded, CRLF kept.
// nullopt for malformed input ('=' not followed by two hex digits or CRLF).
std::optional<std::string> DecodeQuotedPrintable(std::string_view encoded);

}  // namespace logistics::notifications::infrastructure
