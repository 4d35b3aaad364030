// MessageIdFor: the Message-ID of the mail an event causes, the same on every
// attempt.
//
// Sending and recording cannot be one atomic step: the SMTP server accepts
// the message (a network effect), and only then does the service commit the
// event's inbox row and its sent_notifications record. If the process dies, or
// the commit fails, in between, the event is redelivered and its mail is sent
// a second time. This at-least-once window is small (one commit) but real,
// and no protocol closes it from our side: SMTP has no "send if not sent".
//
// What we can do is make the second copy recognisably the same message. The
// Message-ID is derived from the event id alone, never from time or a random
// number, so every attempt for one event carries the same header, e.g.
//   <0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f@logistics.example>
// RFC 5322 §3.6.4 makes the Message-ID the identity of a message; mail
// systems and clients that deduplicate (many do, on delivery or on display)
// show the copy once, and an operator can match a mail to its event and its
// sent_notifications row.
//
// The id's left part keeps ASCII letters, digits and '-' as they are and
// writes any other byte as "=XX" (hex), so the result is always a valid
// dot-atom and two different event ids never share a Message-ID.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace logistics::notifications::application {

// The domain used when the configuration names none.
inline constexpr std::string_view kDefaultMessageIdDomain = "logistics.example";

// "<" + event id (escaped as above) + "@" + domain + ">". Preconditions:
// event_id is not empty; domain is a host name (letters, digits, '-', '.'),
// e.g. the part of the sender address after '@'. A domain that is empty or
// holds anything else is replaced by kDefaultMessageIdDomain.
std::string MessageIdFor(std::string_view event_id, std::string_view domain);

}  // namespace logistics::notifications::application
