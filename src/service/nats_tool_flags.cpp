#include "logistics/service/nats_tool_flags.hpp"

#include <CLI/CLI.hpp>
#include <fstream>

namespace logistics::service {

void AddNatsToolFlags(CLI::App& app, NatsToolOptions& options) {
  app.add_option("--nats-url", options.url, "NATS server URL(s), comma-separated")
      ->envname("NATS_URL")
      ->capture_default_str();
  app.add_option("--nats-user", options.user, "NATS user name")->envname("NATS_USER");
  app.add_option("--nats-password-file", options.password_file, "file holding the NATS password")
      ->envname("NATS_PASSWORD_FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-creds", options.creds, "NATS credentials (.creds) file")
      ->envname("NATS_CREDS")
      ->check(CLI::ExistingFile);
  // The same flags and variables as the services' (service_config.cpp).
  app.add_option("--nats-tls-ca", options.tls_ca, "CA certificate(s) to trust for NATS TLS")
      ->envname("NATS_TLS_CA")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-tls-cert", options.tls_cert, "client certificate for NATS mutual TLS")
      ->envname("NATS_TLS_CERT")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-tls-key", options.tls_key, "client key for NATS mutual TLS")
      ->envname("NATS_TLS_KEY")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-inbox-prefix", options.inbox_prefix,
                 "subject prefix of reply inboxes (default _INBOX.<user> with --nats-user)")
      ->envname("NATS_INBOX_PREFIX");
}

std::optional<std::string> CheckNatsToolOptions(const NatsToolOptions& options) {
  if (!options.creds.empty() && !options.user.empty()) {
    return "give either --nats-creds or --nats-user, not both";
  }
  if (!options.password_file.empty() && options.user.empty()) {
    return "--nats-password-file needs --nats-user";
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return "--nats-tls-cert and --nats-tls-key go together";
  }
  return std::nullopt;
}

common::Result<std::unique_ptr<nats::Connection>, std::string> ConnectTool(
    const NatsToolOptions& options, std::string name) {
  nats::ConnectionSettings settings;
  settings.url = options.url;
  settings.name = std::move(name);
  settings.user = options.user;
  settings.credentials_file = options.creds;
  settings.tls_ca_file = options.tls_ca;
  settings.tls_cert_file = options.tls_cert;
  settings.tls_key_file = options.tls_key;
  // Under the shipped server configuration a user reads its own inbox space only.
  settings.inbox_prefix = !options.inbox_prefix.empty() ? options.inbox_prefix
                          : !options.user.empty()      ? "_INBOX." + options.user
                                                       : std::string();
  if (!options.password_file.empty()) {
    std::ifstream file(options.password_file);
    if (!std::getline(file, settings.password) || settings.password.empty()) {
      return common::Unexpected{"--nats-password-file " + options.password_file +
                                " holds no password"};
    }
  }
  auto connection = nats::Connection::Connect(std::move(settings));
  if (!connection) return common::Unexpected{connection.error().message};
  if (!(*connection)->IsConnected()) {
    return common::Unexpected{"cannot connect to NATS at " + nats::RedactUrl(options.url)};
  }
  return std::move(*connection);
}

}  // namespace logistics::service
