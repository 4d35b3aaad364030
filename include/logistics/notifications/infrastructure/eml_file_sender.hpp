// EmlFileSender: MailSender that writes each mail as an .eml file, for when no
// SMTP server is configured (a local run, a demo, tests).
//
// Each Send writes the message of FormatMimeMessage (the same bytes an SMTP
// server would receive) to
//   <dir>/<event id>.eml
// where the event id is the Message-ID's left part, kept to letters, digits,
// '-', '_' and '.' (any other byte becomes '_'; when that changed or
// shortened the id, a hash of the whole Message-ID is appended, so two
// different event ids never share a file). Event ids are UUIDv7, so a listing
// sorts by the time of the event.
//
// Idempotent: the file is named by the Message-ID alone, which is the same
// on every attempt for one event, so sending a message again (the redelivery
// after a crash between the send and the commit, see record_notification.hpp)
// replaces its file instead of adding a second one. The file appears
// atomically: it is written under a hidden temporary name in the same
// directory, flushed to disk (fsync), and renamed over the final name; a
// reader never sees half a message, only the old copy or the new one. The
// directory is created when missing.
//
// Failures: an address that fails IsUsableAddress is permanent (as over SMTP);
// any file-system error (cannot create the directory, disk full) is
// transient, so the event is retried and ends as a dead letter only after the
// consumer's max deliveries.
//
// Ownership: owns the path and the From; borrows the clock (for the Date
// header). Thread-safety: Send may be called from several threads (every
// attempt has its own temporary name; of two sends of one message at once,
// the last rename wins, whole).
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
