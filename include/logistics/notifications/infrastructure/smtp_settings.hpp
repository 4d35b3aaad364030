// SmtpSettings: how the notifications service reaches its SMTP server, and
// whom its mails are from.
//
// Just data, filled by the composition root from flags and the environment
// (the password from an environment variable or a file, never a flag). An
// empty `url` means "no SMTP server": the service then writes .eml files
// (EmlFileSender) instead.
//
// Thread-safety: a plain value.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace logistics::notifications::infrastructure {

struct SmtpSettings {
  std::string url;             // "smtp://host:port" (or "smtps://" for TLS from the start)
  std::string mail_from;       // envelope sender and From address, "noreply@logistics.example"
  std::string mail_from_name;  // From display name, "Logistics"; may be empty
  bool starttls = false;       // require STARTTLS (CURLUSESSL_ALL) on an smtp:// URL
  std::optional<std::string> username;  // SMTP AUTH, when both are set
  std::optional<std::string> password;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{30000};  // the whole exchange, per mail
};

}  // namespace logistics::notifications::infrastructure
