// NatsToolOptions: how the command-line tools (logistics-events,
// logistics-admin) reach NATS, with the services' flags and variables:
//
//   --nats-url            NATS_URL            nats://127.0.0.1:4222
//   --nats-user           NATS_USER           (none)
//   --nats-password-file  NATS_PASSWORD_FILE  (none) the password's first line
//   --nats-creds          NATS_CREDS          (none) a .creds file
//   --nats-tls-ca         NATS_TLS_CA         (none) CA to trust
//   --nats-tls-cert       NATS_TLS_CERT       (none) client certificate (mutual TLS)
//   --nats-tls-key        NATS_TLS_KEY        (none) its key
//   --nats-inbox-prefix   NATS_INBOX_PREFIX   _INBOX.<user> with --nats-user
//
// A tool must not wait for a server that is not there, so ConnectTool fails
// when the server cannot be reached now, unlike a service's connection.
//
// Thread-safety: plain values; parse once in main.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"

namespace CLI {
class App;
}

namespace logistics::service {

struct NatsToolOptions {
  std::string url = "nats://127.0.0.1:4222";
  std::string user;
  std::string password_file;
  std::string creds;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string inbox_prefix;
};

// Adds the flags above to `app` (files must exist: a usage error otherwise).
void AddNatsToolFlags(CLI::App& app, NatsToolOptions& options);

// What is wrong with the combination of flags (a usage error), or nullopt.
std::optional<std::string> CheckNatsToolOptions(const NatsToolOptions& options);

// Connects as `name` (shown by `nats server report connections`). Fails with
// the reason: a password file without a password, a refused TLS or
// credentials, or a server that cannot be reached now.
common::Result<std::unique_ptr<nats::Connection>, std::string> ConnectTool(
    const NatsToolOptions& options, std::string name);

}  // namespace logistics::service
