// MailSender: the port through which a mail leaves the service.
//
// Implementations: CurlSmtpSender (an SMTP server through libcurl) and
// EmlFileSender (one .eml file per mail, when no SMTP server is configured);
// tests use RecordingMailSender (tests/support/fakes). Sending is a network
// effect: it cannot be rolled back, so callers send OUTSIDE any database
// transaction and record the send afterwards (see record_notification.hpp for
// the window this leaves, and message_id.hpp for how it is closed).
//
// Send either succeeds (the server, or the disk, accepted the message) or
// fails with a SendFailure that says whether trying again can help:
//  - transient: the server could not be reached, timed out, or answered 4xx
//    (421 service not available, 451 local error, 452 insufficient storage);
//    the same message may well go through later, so the event is retried
//    with backoff;
//  - permanent: the server answered 5xx (550 mailbox unavailable, 553 bad
//    address, 554 rejected), the address cannot be used, or the configuration
//    is wrong; sending again would fail again, so the event becomes a dead
//    letter.
//
// Thread-safety: implementations say; the service calls Send from one thread.
#pragma once

#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/notifications/domain/mail.hpp"

namespace logistics::notifications::application {

struct SendFailure {
  bool transient = true;
  std::string message;  // for logs and the dead letter: what failed, the server's reply if any
};

class MailSender {
 public:
  virtual ~MailSender() = default;

  // Sends `mail` under `message_id` (the Message-ID header, angle brackets
  // included, as MessageIdFor makes it). Succeeds once the message was
  // accepted; fails as described above.
  virtual common::Result<void, SendFailure> Send(const domain::Mail& mail,
                                                 std::string_view message_id) = 0;
};

}  // namespace logistics::notifications::application
