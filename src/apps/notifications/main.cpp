// The notifications service: composition root. It parses the configuration,
// chooses the mail sender (SMTP when --smtp-url is set, .eml files otherwise),
// wires the two consumers into the runtime and runs until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>

#include "logistics/aggregate_service/infrastructure/pooled_read_store.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/notifications/application/message_id.hpp"
#include "logistics/notifications/infrastructure/curl_smtp_sender.hpp"
#include "logistics/notifications/infrastructure/eml_file_sender.hpp"
#include "logistics/notifications/infrastructure/notifications_schema.hpp"
#include "logistics/notifications/infrastructure/sqlite_contact_projection.hpp"
#include "logistics/notifications/infrastructure/sqlite_notification_store.hpp"
#include "logistics/notifications/presentation/event_notifier.hpp"
#include "logistics/service/event_streams.hpp"
#include "logistics/service/service_runtime.hpp"
#include "logistics/service/guarded_main.hpp"

namespace {

constexpr const char* kVersion = "0.1.0";

int Run(int argc, char** argv) {
  using namespace logistics;
  namespace infra = notifications::infrastructure;
  CLI::App app{"notifications: e-mails customers about their orders, from the ORDERS and "
               "PAYMENTS event streams"};
  app.set_version_flag("--version", kVersion);
  service::ServiceConfig config;
  // No outbox, relay or stream of its own: their flags stay out of --help.
  service::AddServiceFlags(app, config, "notifications", service::EventPublishing::kNone);
  app.add_flag("--rebuild-projections", config.rebuild_projections,
               "rebuild this service's projections from the event streams before serving")
      ->envname("REBUILD_PROJECTIONS");
  infra::SmtpSettings smtp;
  smtp.mail_from = "noreply@logistics.example";
  smtp.mail_from_name = "Logistics";
  std::string smtp_user;
  std::string smtp_password;
  std::string smtp_password_file;
  std::string mail_dir;
  std::string message_id_domain(notifications::application::kDefaultMessageIdDomain);
  app.add_option("--smtp-url", smtp.url,
                 "SMTP server, smtp://host:port (smtps:// for TLS); none: write .eml files")
      ->envname("SMTP_URL");
  app.add_flag("--smtp-starttls", smtp.starttls, "require STARTTLS on an smtp:// URL")
      ->envname("SMTP_STARTTLS");
  app.add_option("--smtp-user", smtp_user, "SMTP user name")->envname("SMTP_USER");
  app.add_option("--smtp-password", smtp_password, "SMTP password (prefer the file)")
      ->envname("SMTP_PASSWORD");
  app.add_option("--smtp-password-file", smtp_password_file, "file holding the SMTP password")
      ->envname("SMTP_PASSWORD_FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--mail-from", smtp.mail_from, "sender address")
      ->envname("MAIL_FROM")
      ->capture_default_str();
  app.add_option("--mail-from-name", smtp.mail_from_name, "sender display name")
      ->envname("MAIL_FROM_NAME")
      ->capture_default_str();
  app.add_option("--mail-dir", mail_dir,
                 "where .eml files go without --smtp-url (default: mail/ beside the database)")
      ->envname("MAIL_DIR");
  app.add_option("--message-id-domain", message_id_domain, "right-hand side of Message-IDs")
      ->envname("MESSAGE_ID_DOMAIN")
      ->capture_default_str();
  // Checks of the notifications settings; the password file is read here.
  auto check_mail_settings = [&]() -> std::optional<std::string> {
    if (!smtp_password_file.empty()) {
      auto secret = service::ReadSecretFile(smtp_password_file);
      if (!secret) return "--smtp-password-file " + smtp_password_file + " holds no password";
      smtp_password = std::move(*secret);
    }
    if (!smtp_password.empty() && smtp_user.empty()) return "an SMTP password needs --smtp-user";
    if (!smtp.url.empty() && !smtp.url.starts_with("smtp://") && !smtp.url.starts_with("smtps://")) {
      return "--smtp-url must start with smtp:// or smtps://";
    }
    if (smtp.mail_from.find('@') == std::string::npos) return "--mail-from must be an e-mail address";
    return std::nullopt;
  };
  if (auto stop = service::ParseFlags(app, argc, argv, config, "notifications", check_mail_settings)) {
    return *stop;
  }
  if (!smtp_user.empty()) {
    smtp.username = smtp_user;
    smtp.password = smtp_password;
  }

  service::ServiceDefinition definition{
      "notifications",
      kVersion,
      "E-mails customers about their orders (created, paid, dispatched, delivered, cancelled, "
      "refunded)",
      {{std::string(infra::kNotificationsComponent), infra::NotificationsMigrations()}},
      {},
      [](const common::Clock& clock) {
        auto spec =
            notifications::presentation::ContactsRebuild([&clock](sqlite::Database& scratch) {
              return std::unique_ptr<notifications::application::ContactProjection>(
                  std::make_unique<infra::SqliteContactProjection>(scratch, clock));
            });
        spec.schema = {
            {std::string(infra::kNotificationsComponent), infra::NotificationsMigrations()}};
        return spec;
      }};
  auto runtime = service::ServiceRuntime::Open(std::move(definition), config);
  if (!runtime) {
    logging::Error("cannot start", {{"error", runtime.error()}});
    return 1;
  }
  service::ServiceRuntime& service = **runtime;
  std::unique_ptr<notifications::application::MailSender> sender;
  if (smtp.url.empty()) {
    const std::filesystem::path dir =
        mail_dir.empty() ? std::filesystem::path(config.db).parent_path() / "mail"
                         : std::filesystem::path(mail_dir);
    sender = std::make_unique<infra::EmlFileSender>(
        dir, infra::MailFrom{smtp.mail_from, smtp.mail_from_name}, service.clock());
    logging::Info("no SMTP server configured: e-mails are written as .eml files",
                  {{"mail_dir", dir.string()}});
  } else {
    logging::Info("sending e-mail over SMTP",
                  {{"smtp_url", nats::RedactUrl(smtp.url)}, {"starttls", smtp.starttls}});
    sender = std::make_unique<infra::CurlSmtpSender>(smtp, service.clock());
  }
  // The adapter behind the NotificationStore port: SQLite, on the read pool to
  // plan and on the writer's connection in the event's transaction to record.
  notifications::presentation::NotificationStorage storage;
  storage.in_transaction = [&clock = service.clock()](sqlite::Database& transaction,
                                                      const messaging::EventMetadata& /*unused*/) {
    return std::unique_ptr<notifications::application::NotificationStore>(
        std::make_unique<infra::SqliteNotificationStore>(transaction, clock));
  };
  storage.for_reading = [&reads = service.reads(), &clock = service.clock()] {
    return aggregate_service::infrastructure::OpenOnReadPool<
        notifications::application::NotificationStore, infra::SqliteNotificationStore>(reads,
                                                                                        clock);
  };
  notifications::presentation::EventNotifier orders(storage, *sender, service.clock(),
                                                    message_id_domain);
  notifications::presentation::EventNotifier payments(storage, *sender, service.clock(),
                                                      message_id_domain);
  service.AddConsumer(service::DurableConsumerOn("notifications", "ORDERS"), orders.InTransaction(),
                      orders.BeforeTransaction());
  service.AddConsumer(service::DurableConsumerOn("notifications", "PAYMENTS"),
                      payments.InTransaction(), payments.BeforeTransaction());
  return service.ServeUntilStopped({});
}

}  // namespace

int main(int argc, char** argv) {
  return logistics::service::GuardedMain("notifications", Run, argc, argv);
}
