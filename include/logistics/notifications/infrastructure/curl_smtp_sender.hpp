// CurlSmtpSender: MailSender that hands each mail to an SMTP server through
// libcurl.
//
// Each Send opens one connection (a notification is a handful of mails per
// order; connection reuse would buy little and cost shared state): EHLO,
// STARTTLS when configured (CURLOPT_USE_SSL = CURLUSESSL_ALL: refuse to go on
// in clear text), AUTH when a user and password are set, MAIL FROM
// <mail_from>, RCPT TO <mail.to_address>, DATA with the message of
// FormatMimeMessage (Date from the clock, From from the settings). Only
// smtp:// and smtps:// URLs are followed. Timeouts: connect_timeout (5 s) for
// the connection, total_timeout (30 s) for the whole exchange.
//
// Failures (ClassifySmtpFailure, the one place a CURLcode becomes a
// SendFailure):
//  - the server's last reply was 4xx (421, 450, 451, 452, ...): transient;
//  - the server's last reply was 5xx (535 auth, 550, 553, 554, ...): permanent;
//  - no reply decided it: connection refused, host not found, timeouts, a
//    dropped connection or a TLS handshake that failed are transient; a bad
//    URL, an unsupported protocol, login denied, a server without STARTTLS
//    when it is required, or a certificate that does not verify are
//    configuration problems and permanent; any other code is transient
//    (retries are bounded by the consumer's max deliveries anyway).
//  - A recipient or sender address that fails IsUsableAddress is permanent,
//    before any connection.
//
// libcurl's global state: curl_global_init must run once before any other
// libcurl call and is not safe to race with other threads' use of libcurl or
// of the TLS library it initialises. The constructor calls it exactly once per
// process (std::call_once), so construct the sender in the composition root
// before starting threads; curl_global_cleanup is never called (the state
// lives until the process exits).
//
// Ownership: owns a copy of the settings; borrows the clock.
// Thread-safety: Send may be called from several threads at once (each call
// uses its own curl handle).
#pragma once

#include <string>
#include <string_view>

#include "logistics/common/clock.hpp"
#include "logistics/notifications/application/ports/mail_sender.hpp"
#include "logistics/notifications/infrastructure/smtp_settings.hpp"

namespace logistics::notifications::infrastructure {

// The SendFailure for a transfer that ended with CURLcode `curl_code` (an
// int, so this header needs no curl include), the server's last reply code
// `smtp_reply` (CURLINFO_RESPONSE_CODE, 0 when none) and curl's error text
// `detail`. See above for the rules.
application::SendFailure ClassifySmtpFailure(int curl_code, long smtp_reply,
                                             std::string_view detail);

class CurlSmtpSender final : public application::MailSender {
 public:
  CurlSmtpSender(SmtpSettings settings, const common::Clock& clock);

  common::Result<void, application::SendFailure> Send(const domain::Mail& mail,
                                                      std::string_view message_id) override;

 private:
  SmtpSettings settings_;
  const common::Clock& clock_;
};

}  // namespace logistics::notifications::infrastructure
