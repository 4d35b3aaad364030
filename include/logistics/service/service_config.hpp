// ServiceConfig: the settings every service shares, and their flags.
//
// Each setting has a flag and an environment variable (flags win), a default
// that suits a local run, and a check at start-up; a bad value stops the
// service with a clear message and exit code 2 (see AddServiceFlags).
//
//   --nats-url            NATS_URL                  nats://127.0.0.1:4222
//   --nats-user           NATS_USER                 (none)
//   --nats-password       NATS_PASSWORD             (none; prefer the file)
//   --nats-password-file  NATS_PASSWORD_FILE        (none)
//   --nats-creds          NATS_CREDS                (none) a .creds file
//   --nats-tls-ca         NATS_TLS_CA               (none)
//   --nats-tls-cert       NATS_TLS_CERT             (none)
//   --nats-tls-key        NATS_TLS_KEY              (none)
//   --db                  <SERVICE>_DB              ./var/<service>.db
//   --log-level           LOG_LEVEL                 info
//   --log-format          LOG_FORMAT                text on a terminal, json otherwise
//   --writer-batch        WRITER_BATCH              256 commands per transaction
//   --relay-window        RELAY_WINDOW              256 publishes in flight
//   --read-connections    READ_CONNECTIONS          4 read-only connections for queries
//   --max-body-bytes      MAX_BODY_BYTES            65536
//   --duplicate-window    DUPLICATE_WINDOW_SECONDS  600 (stream de-duplication)
//   --republish-horizon   REPUBLISH_HORIZON_SECONDS 300 (published rows kept)
//   --shutdown-timeout    SHUTDOWN_TIMEOUT_SECONDS  10  (bound on flushing at exit)
//   --consumer-batch      CONSUMER_BATCH            64  events per fetch
//   --max-deliveries      MAX_DELIVERIES            5   attempts before a dead letter
//   --retry-initial-ms    RETRY_INITIAL_MS          1000 first redelivery delay (doubles)
//   --retry-max-ms        RETRY_MAX_MS              30000 longest redelivery delay
//   --inbox-retention     INBOX_RETENTION_SECONDS   604800 (7 days)
//   --idempotency-retention IDEMPOTENCY_RETENTION_SECONDS 86400 (24 h)
//   --skip-integrity-check SKIP_INTEGRITY_CHECK     off (quick_check the database at start)
//   --db-max-kib          DB_MAX_KIB                0 (no limit) database size limit
//   --dependency-wait     DEPENDENCY_WAIT_SECONDS   60 an event waits for another stream
//   --metrics-address     METRICS_ADDRESS           (none: off) <ip>:<port> serving /metrics
//   --stream-replicas     STREAM_REPLICAS           1 (3 on a 3-node cluster) copies of the stream
//   --relay-lease-ms      RELAY_LEASE_MS            3000 the relay lease (one relay publishes)
//   --js-check-interval-ms JS_CHECK_INTERVAL_MS     2000 how often JetStream's reachability is probed
//
// Thread-safety: plain values; parse once in main.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace logistics::service {

struct ServiceConfig {
  std::string nats_url = "nats://127.0.0.1:4222";
  std::string nats_user;
  std::string nats_password;
  std::string nats_password_file;
  std::string nats_creds;
  std::string nats_tls_ca;
  std::string nats_tls_cert;
  std::string nats_tls_key;
  // Replies to this service's requests arrive under it; the shipped server
  // configuration lets each user read only "_INBOX.<user>.>". Default
  // "_INBOX.<service>".
  std::string nats_inbox_prefix;
  // true (the default, for a local server): the service creates and updates
  // its stream and its durable consumers. false (secure deployments): an
  // administrator provisions them (`logistics-events provision`); the service
  // only checks them at start-up and exits 1 when one is missing or differs.
  bool manage_streams = true;
  std::string db;
  std::string log_level = "info";
  // "json", "text", or "" for the default: text when stderr is a terminal.
  std::string log_format;
  std::size_t writer_batch = 256;
  std::size_t relay_window = 256;
  std::size_t read_connections = 4;
  std::size_t max_body_bytes = std::size_t{64} * 1024;
  std::int64_t duplicate_window_seconds = 600;
  // The stream's retention (event_streams.hpp): days and bytes; 0: no limit.
  std::int64_t stream_max_age_days = 90;
  std::int64_t stream_max_bytes = std::int64_t{10} << 30;
  std::int64_t republish_horizon_seconds = 300;
  std::int64_t shutdown_timeout_seconds = 10;
  std::size_t consumer_batch = 64;
  std::int64_t max_deliveries = 5;
  std::int64_t retry_initial_ms = 1000;
  std::int64_t retry_max_ms = 30000;
  std::int64_t inbox_retention_seconds = std::int64_t{7} * 24 * 3600;
  std::int64_t idempotency_retention_seconds = std::int64_t{24} * 3600;
  bool rebuild_projections = false;  // --rebuild-projections (services with projections)
  bool skip_integrity_check = false;  // see startup_integrity_check.hpp
  // Writes beyond this size are refused with 503 STORAGE_FULL, as on a full
  // disk (SQLite's max_page_count); 0: no limit.
  std::int64_t db_max_kib = 0;
  // Lasting refusals of one event in a row before the relay parks it with the
  // later events of its aggregate (relay_round.hpp); 0: never park.
  std::int64_t park_after_attempts = 12;
  // How long a consumed event may wait, while every other consumer of the
  // service is caught up, for state another stream brings (EventConsumer).
  std::int64_t dependency_wait_seconds = 60;
  // Alarms (alarms.hpp): the age of the oldest unpublished event and a
  // consumer's server-side backlog past which they are raised, and how often
  // they are checked.
  std::int64_t alarm_unpublished_age_seconds = 60;
  std::int64_t alarm_consumer_lag = 10000;
  std::int64_t alarm_check_interval_ms = 1000;
  // Where GET /metrics (Prometheus text format) is served, "127.0.0.1:9464";
  // empty: no metrics endpoint (metrics_server.hpp).
  std::string metrics_address;
  // Replicas of the streams the service creates (1 on one server, 3 on a
  // 3-node cluster); the service refuses to start when the server cannot
  // give them (stream_setup.hpp).
  int stream_replicas = 1;
  // The relay lease (relay_lease.hpp): instances of one service on one
  // database elect the one relay that publishes; a holder that stops
  // renewing loses it after this long, and a survivor takes over.
  std::int64_t relay_lease_ms = 3000;
  // How often each NATS connection checks that JetStream answers through
  // its server; a server that cannot reach JetStream while others can (the
  // minority side of a partition) is left for another (jetstream_watch.hpp).
  std::int64_t js_check_interval_ms = 2000;
};

// What a service does with the flags above that not every service needs.
enum class EventPublishing {
  kOwnStream,  // publishes events through its outbox into a stream of its own (orders, payments)
  kNone,       // only consumes (notifications): no outbox, relay or stream of its own
};

// Registers the flags above on `app`, with `service` naming the database
// default and its variable ("orders" -> ./var/orders.db, ORDERS_DB). For a
// service that publishes no events, the flags of the outbox, the relay, its
// stream and commands are left out of --help; they are still accepted (and
// unused), so that one environment or command line can serve every service.
void AddServiceFlags(CLI::App& app, ServiceConfig& config, std::string_view service,
                     EventPublishing publishing = EventPublishing::kOwnStream);

// Parses the command line into `config` (and any service-specific options
// already added to `app`), runs `extra_checks` (a service's own cross-field
// checks; empty optional when fine), validates, and configures logging.
// Returns the exit code to stop with: 0 after --help or --version, 2 with a
// message on stderr for anything invalid; nullopt to go on.
std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv, ServiceConfig& config,
                              std::string_view service,
                              const std::function<std::optional<std::string>()>& extra_checks = {});

// The secret held by a password file: its first line, or nullopt when the file
// cannot be read or the line is empty. The value is never logged.
std::optional<std::string> ReadSecretFile(const std::string& path);

// Cross-field checks CLI11 cannot express, and reading the password file;
// the message says what to change. Never includes a secret.
std::optional<std::string> Validate(ServiceConfig& config);

}  // namespace logistics::service
