#include "logistics/service/service_config.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>

#include "logistics/logging/log.hpp"
#include "logistics/logging/log_line.hpp"
#include "logistics/nats/subject_filter.hpp"
#include "logistics/service/metrics_server.hpp"

namespace logistics::service {
namespace {

// CLI11's Range says "Value abc not in range 1 to 10000" for a word; this
// says what is wrong in either case: "'abc' is not a number", "'0' is not
// between 1 and 10000". (ParseFlags adds the variable's name.)
template <typename T>
CLI::Validator WholeNumberIn(T min, T max) {
  const auto low = static_cast<std::int64_t>(min);
  const auto high = static_cast<std::int64_t>(max);
  return CLI::Validator(
      [low, high](std::string& value) -> std::string {
        std::int64_t number = 0;
        const char* end = value.data() + value.size();
        const auto [stop, error] = std::from_chars(value.data(), end, number);
        if (value.empty() || error == std::errc::invalid_argument || stop != end) {
          return "'" + value + "' is not a number";
        }
        if (error == std::errc::result_out_of_range || number < low || number > high) {
          return "'" + value + "' is not between " + std::to_string(low) + " and " + std::to_string(high);
        }
        return {};
      },
      "[" + std::to_string(low) + " - " + std::to_string(high) + "]");
}

// "--writer-batch: 'abc' is not a number" -> "--writer-batch (WRITER_BATCH):
// 'abc' is not a number": the value may have come from the environment,
// where the flag's name would not be found. CLI11 does not tell which.
std::string NameTheVariable(const CLI::App& app, std::string message) {
  for (const CLI::Option* option : app.get_options()) {
    const std::string prefix = option->get_name() + ": ";
    if (option->get_envname().empty() || message.rfind(prefix, 0) != 0) continue;
    return option->get_name() + " (" + option->get_envname() + "): " + message.substr(prefix.size());
  }
  return message;
}

}  // namespace

void AddServiceFlags(CLI::App& app, ServiceConfig& config, std::string_view service,
                     EventPublishing publishing) {
  std::string upper(service);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  config.db = "./var/" + std::string(service) + ".db";

  app.add_option("--nats-url", config.nats_url, "NATS server URL(s), comma-separated")
      ->envname("NATS_URL")
      ->capture_default_str();
  app.add_option("--nats-user", config.nats_user, "NATS user name")->envname("NATS_USER");
  // The password is accepted as a flag for completeness, but a file (or the
  // environment) keeps it out of `ps` output; it is never logged.
  app.add_option("--nats-password", config.nats_password, "NATS password (prefer the file)")
      ->envname("NATS_PASSWORD");
  app.add_option("--nats-password-file", config.nats_password_file,
                 "file holding the NATS password")
      ->envname("NATS_PASSWORD_FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-creds", config.nats_creds, "NATS credentials (.creds) file")
      ->envname("NATS_CREDS")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-tls-ca", config.nats_tls_ca, "CA certificate(s) to trust for NATS TLS")
      ->envname("NATS_TLS_CA")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-tls-cert", config.nats_tls_cert, "client certificate for NATS mutual TLS")
      ->envname("NATS_TLS_CERT")
      ->check(CLI::ExistingFile);
  app.add_option("--nats-tls-key", config.nats_tls_key, "client key for NATS mutual TLS")
      ->envname("NATS_TLS_KEY")
      ->check(CLI::ExistingFile);
  config.nats_inbox_prefix = "_INBOX." + std::string(service);
  app.add_option("--nats-inbox-prefix", config.nats_inbox_prefix,
                 "subject prefix of this service's reply inboxes (its user may read only its own)")
      ->envname("NATS_INBOX_PREFIX")
      ->capture_default_str();
  app.add_option("--manage-streams", config.manage_streams,
                 "create and update its stream and durable consumers (false: only check what an "
                 "administrator provisioned with `logistics-events provision`, and exit 1 if "
                 "anything is missing or differs)")
      ->envname("MANAGE_STREAMS")
      ->capture_default_str();
  app.add_option("--db", config.db, "SQLite database file (created if missing)")
      ->envname(upper + "_DB")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "debug, info, warn or error")
      ->envname("LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}))
      ->capture_default_str();
  app.add_option("--log-format", config.log_format,
                 "json (one object per line) or text (for a person); default: text when stderr is "
                 "a terminal, json otherwise")
      ->envname("LOG_FORMAT")
      ->check(CLI::IsMember({"json", "text"}));
  app.add_option("--writer-batch", config.writer_batch, "commands per write transaction")
      ->envname("WRITER_BATCH")
      ->check(WholeNumberIn(1, 10000))
      ->capture_default_str();
  app.add_option("--relay-window", config.relay_window, "event publishes in flight at most")
      ->envname("RELAY_WINDOW")
      ->check(WholeNumberIn(1, 10000))
      ->capture_default_str();
  app.add_option("--read-connections", config.read_connections,
                 "read-only database connections for queries")
      ->envname("READ_CONNECTIONS")
      ->check(WholeNumberIn(1, 64))
      ->capture_default_str();
  app.add_option("--max-body-bytes", config.max_body_bytes, "largest request body accepted")
      ->envname("MAX_BODY_BYTES")
      ->check(WholeNumberIn(std::size_t{256}, std::size_t{8} << 20))
      ->capture_default_str();
  app.add_option("--stream-max-age", config.stream_max_age_days,
                 "days the stream keeps an event (0: for ever); must match what was provisioned")
      ->envname("STREAM_MAX_AGE_DAYS")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{36500}))
      ->capture_default_str();
  app.add_option("--stream-max-bytes", config.stream_max_bytes,
                 "bytes the stream keeps before the oldest events go (0: no limit)")
      ->envname("STREAM_MAX_BYTES")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{1} << 50))
      ->capture_default_str();
  app.add_option("--duplicate-window", config.duplicate_window_seconds,
                 "seconds: the event stream's de-duplication window")
      ->envname("DUPLICATE_WINDOW_SECONDS")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{7} * 24 * 3600))
      ->capture_default_str();
  app.add_option("--republish-horizon", config.republish_horizon_seconds,
                 "seconds: how long published outbox rows are kept for re-publishing")
      ->envname("REPUBLISH_HORIZON_SECONDS")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{7} * 24 * 3600))
      ->capture_default_str();
  app.add_option("--db-max-kib", config.db_max_kib,
                 "KiB: refuse writes beyond this database size with 503 STORAGE_FULL (0: no limit)")
      ->envname("DB_MAX_KIB")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--alarm-unpublished-age", config.alarm_unpublished_age_seconds,
                 "seconds the oldest unpublished event may wait before the alarm unpublished_too_old")
      ->envname("ALARM_UNPUBLISHED_AGE_SECONDS")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{86400}))
      ->capture_default_str();
  app.add_option("--alarm-consumer-lag", config.alarm_consumer_lag,
                 "messages a consumer may have pending on the server before the alarm consumer_lag")
      ->envname("ALARM_CONSUMER_LAG")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--alarm-check-interval-ms", config.alarm_check_interval_ms,
                 "how often the alarms are checked")
      ->envname("ALARM_CHECK_INTERVAL_MS")
      ->check(WholeNumberIn(std::int64_t{50}, std::int64_t{600000}))
      ->capture_default_str();
  app.add_option("--dependency-wait", config.dependency_wait_seconds,
                 "seconds an event may wait for another stream's state once the service's "
                 "other consumers are caught up; then it is dead-lettered")
      ->envname("DEPENDENCY_WAIT_SECONDS")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{7} * 24 * 3600))
      ->capture_default_str();
  app.add_option("--shutdown-timeout", config.shutdown_timeout_seconds,
                 "seconds: bound on finishing work and flushing the outbox at exit")
      ->envname("SHUTDOWN_TIMEOUT_SECONDS")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{600}))
      ->capture_default_str();
  app.add_option("--consumer-batch", config.consumer_batch, "events fetched per batch")
      ->envname("CONSUMER_BATCH")
      ->check(WholeNumberIn(1, 1000))
      ->capture_default_str();
  app.add_option("--max-deliveries", config.max_deliveries,
                 "deliveries of a failing event before it becomes a dead letter")
      ->envname("MAX_DELIVERIES")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{1000}))
      ->capture_default_str();
  app.add_option("--retry-initial-ms", config.retry_initial_ms,
                 "milliseconds before the first redelivery of a failed event (doubles each time)")
      ->envname("RETRY_INITIAL_MS")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{3600000}))
      ->capture_default_str();
  app.add_option("--retry-max-ms", config.retry_max_ms, "longest redelivery delay, milliseconds")
      ->envname("RETRY_MAX_MS")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{3600000}))
      ->capture_default_str();
  app.add_option("--inbox-retention", config.inbox_retention_seconds,
                 "seconds: how long processed event ids are remembered")
      ->envname("INBOX_RETENTION_SECONDS")
      ->check(WholeNumberIn(std::int64_t{60}, std::int64_t{365} * 24 * 3600))
      ->capture_default_str();
  app.add_option("--idempotency-retention", config.idempotency_retention_seconds,
                 "seconds: how long a command's Nats-Msg-Id and reply are remembered")
      ->envname("IDEMPOTENCY_RETENTION_SECONDS")
      ->check(WholeNumberIn(std::int64_t{1}, std::int64_t{365} * 24 * 3600))
      ->capture_default_str();
  app.add_option("--metrics-address", config.metrics_address,
                 "<ip>:<port> to serve Prometheus metrics on at /metrics, such as 127.0.0.1:9464 "
                 "(default: none, off)")
      ->envname("METRICS_ADDRESS");
  app.add_option("--park-after-attempts", config.park_after_attempts,
                 "refusals of one event that retrying will not fix (too large, no stream captures it, "
                 "rejected) before the relay parks it with the later events of its aggregate; 0: never")
      ->envname("PARK_AFTER_ATTEMPTS")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{1000000}))
      ->capture_default_str();
  app.add_option("--stream-replicas", config.stream_replicas,
                 "copies of the event stream on a NATS cluster: 1 on one server, 3 on a 3-node "
                 "cluster (the service refuses to start when the servers cannot give them)")
      ->envname("STREAM_REPLICAS")
      ->check(WholeNumberIn(1, 5))
      ->capture_default_str();
  app.add_option("--relay-lease-ms", config.relay_lease_ms,
                 "milliseconds: the relay lease; of several instances on one database only the "
                 "holder publishes, and a survivor takes over this long after the holder stops")
      ->envname("RELAY_LEASE_MS")
      ->check(WholeNumberIn(std::int64_t{300}, std::int64_t{600000}))
      ->capture_default_str();
  app.add_option("--js-check-interval-ms", config.js_check_interval_ms,
                 "milliseconds between checks that JetStream answers through the connected NATS "
                 "server (a server cut off from the cluster is left for another); 0: never")
      ->envname("JS_CHECK_INTERVAL_MS")
      ->check(WholeNumberIn(std::int64_t{0}, std::int64_t{600000}))
      ->capture_default_str();
  app.add_flag("--skip-integrity-check", config.skip_integrity_check,
               "start without checking the database file for damage (PRAGMA quick_check, which "
               "reads the whole file): for very large files")
      ->envname("SKIP_INTEGRITY_CHECK");
  if (publishing == EventPublishing::kNone) {
    // An empty group hides an option from --help (CLI11).
    for (const char* unused : {"--relay-window", "--park-after-attempts", "--republish-horizon",
                               "--duplicate-window", "--stream-max-age", "--stream-max-bytes",
                               "--stream-replicas", "--alarm-unpublished-age", "--idempotency-retention"}) {
      app.get_option(unused)->group("");
    }
  }
}

std::optional<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream file(path);
  std::string secret;
  if (!std::getline(file, secret) || secret.empty()) return std::nullopt;
  return secret;
}

std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv, ServiceConfig& config,
                              std::string_view service,
                              const std::function<std::optional<std::string>()>& extra_checks) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ValidationError& error) {
    std::fprintf(stderr, "%s: %s\nRun with --help for more information.\n", std::string(service).c_str(),
                 NameTheVariable(app, error.what()).c_str());
    return 2;
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);  // prints help, the version, or the error
    return code == 0 ? 0 : 2;
  }
  auto invalid = Validate(config);
  if (!invalid && extra_checks) invalid = extra_checks();
  if (invalid) {
    std::fprintf(stderr, "%s: %s\n", std::string(service).c_str(), invalid->c_str());
    return 2;
  }
  logging::ConfigureLogging(std::string(service), *logging::ParseLevel(config.log_level),
                            config.log_format.empty() ? logging::DefaultLogFormat()
                                                      : *logging::ParseLogFormat(config.log_format));
  return std::nullopt;
}

std::optional<std::string> Validate(ServiceConfig& config) {
  if (config.db.empty()) return "--db must name a database file";
  if (!config.nats_password_file.empty()) {
    if (!config.nats_password.empty()) {
      return "give either --nats-password or --nats-password-file, not both";
    }
    auto secret = ReadSecretFile(config.nats_password_file);
    if (!secret) return "--nats-password-file " + config.nats_password_file + " holds no password";
    config.nats_password = std::move(*secret);
  }
  if (!config.nats_password.empty() && config.nats_user.empty()) {
    return "a NATS password needs --nats-user";
  }
  if (!config.nats_creds.empty() && !config.nats_user.empty()) {
    return "give either --nats-creds or --nats-user, not both";
  }
  if (config.nats_tls_cert.empty() != config.nats_tls_key.empty()) {
    return "--nats-tls-cert and --nats-tls-key go together";
  }
  if (config.nats_url.empty()) return "--nats-url must not be empty";
  if (!nats::IsPlainSubject(config.nats_inbox_prefix)) {
    return "--nats-inbox-prefix '" + config.nats_inbox_prefix +
           "' must be a subject without wildcards or spaces, such as _INBOX.orders";
  }
  if (config.duplicate_window_seconds <= config.republish_horizon_seconds) {
    return "--duplicate-window (" + std::to_string(config.duplicate_window_seconds) +
           " s) must be longer than --republish-horizon (" +
           std::to_string(config.republish_horizon_seconds) +
           " s): re-published events must fall inside the stream's de-duplication window";
  }
  if (config.js_check_interval_ms != 0 && config.js_check_interval_ms < 100) {
    return "--js-check-interval-ms must be 0 (no check) or at least 100";
  }
  if (config.retry_max_ms < config.retry_initial_ms) {
    return "--retry-max-ms must be at least --retry-initial-ms";
  }
  if (!config.metrics_address.empty()) {
    if (auto checked = CheckMetricsAddress(config.metrics_address); !checked) return checked.error();
  }
  return std::nullopt;
}

}  // namespace logistics::service
