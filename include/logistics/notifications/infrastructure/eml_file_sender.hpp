// EmlFileSender: MailSender that writes each mail as an .eml file, for when no
// SMTP server is configured (a local run, a demo, tests).
//
// Each Send writes the message of FormatMimeMessage (the same bytes an SMTP
// server would receive) to
//   <dir>/<UTC time, 20260101T000000.000Z>-<event id>.eml
// where the event id is the Message-ID's left part (escaped to letters,
// digits, '-', '_' and '.'). The file appears atomically: it is written under
// a hidden temporary name in the same directory, flushed to disk (fsync), and
// renamed; a reader never sees half a message. The directory is created when
// missing. Sending the same message again writes a second file (its time
// differs), as a second SMTP delivery would.
//
// Failures: an address that fails IsUsableAddress is permanent (as over SMTP);
// any file-system error (cannot create the directory, disk full) is
// transient, so the event is retried and ends as a dead letter only after the
// consumer's max deliveries.
//
// Ownership: owns the path and the From; borrows the clock. Thread-safety:
// Send may be called from several threads (every file has its own temporary
// name).
#pragma once

#include <filesystem>
#include <string_view>
#include <utility>

#include "logistics/common/clock.hpp"
#include "logistics/notifications/application/ports/mail_sender.hpp"
#include "logistics/notifications/infrastructure/mime_message.hpp"

namespace logistics::notifications::infrastructure {

class EmlFileSender final : public application::MailSender {
 public:
  // `dir` is DATA_DIR/mail in the service.
  EmlFileSender(std::filesystem::path dir, MailFrom from, const common::Clock& clock)
      : dir_(std::move(dir)), from_(std::move(from)), clock_(clock) {}

  common::Result<void, application::SendFailure> Send(const domain::Mail& mail,
                                                      std::string_view message_id) override;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  MailFrom from_;
  const common::Clock& clock_;
};

}  // namespace logistics::notifications::infrastructure
