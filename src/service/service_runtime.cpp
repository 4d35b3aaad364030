#include "logistics/service/service_runtime.hpp"

#include "logistics/json/json_text.hpp"
#include "logistics/logging/thread_name.hpp"

#include <signal.h>
#include <cstdlib>
#include <unistd.h>

#include "logistics/logging/log.hpp"
#include "logistics/messaging/endpoint_schemas.hpp"
#include "logistics/messaging/fault_injection.hpp"
#include "logistics/messaging/sqlite_idempotency.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"
#include "logistics/messaging/lease_holder.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/messaging/sqlite_relay_lease.hpp"
#include "logistics/messaging/stream_check.hpp"
#include "logistics/service/admin_endpoints.hpp"
#include "logistics/sqlite/storage_health.hpp"
#include "logistics/service/runtime_metrics.hpp"
#include "logistics/service/startup_integrity_check.hpp"

namespace logistics::service {
namespace {

using namespace std::chrono_literals;
using common::Unexpected;

// Rows deleted per clean-up transaction: small, so clean-up never holds the
// writer long.
constexpr std::int64_t kCleanupBatch = 500;

}  // namespace

void BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

ServiceRuntime::ServiceRuntime(ServiceDefinition definition, const ServiceConfig& config)
    : definition_(std::move(definition)), config_(config), started_(clock_.Now()) {}

ServiceRuntime::~ServiceRuntime() { Shutdown(); }

common::Result<std::unique_ptr<ServiceRuntime>, std::string> ServiceRuntime::Open(
    ServiceDefinition definition, const ServiceConfig& config) {
  BlockStopSignals();
  std::unique_ptr<ServiceRuntime> runtime(new ServiceRuntime(std::move(definition), config));
  ServiceRuntime& self = *runtime;
  // Read at start-up, and nothing in the process calls setenv: getenv's
  // thread-safety caveat (concurrency-mt-unsafe) does not apply.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  if (const char* fault = std::getenv("LOGISTICS_FAULT"); fault != nullptr && *fault != '\0') {
    logging::Warn("fault injection is on (LOGISTICS_FAULT): for tests only", {{"fault", fault}});
  }

  auto db = sqlite::Database::Open(config.db);
  if (!db) return Unexpected{"cannot open the database: " + db.error().message};
  // Before anything reads or writes it: a damaged file fails here, not in requests.
  if (auto checked = CheckIntegrityAtStart(*db, config.skip_integrity_check); !checked) {
    return Unexpected{checked.error()};
  }
  std::vector<SchemaComponent> schema{{"outbox", messaging::SqliteOutbox::Migrations()},
                                      {"inbox", messaging::SqliteInbox::Migrations()},
                                      {"idempotency", messaging::SqliteIdempotency::Migrations()},
                                      {"relay_lease", messaging::SqliteRelayLease::Migrations()}};
  schema.insert(schema.end(), self.definition_.schema.begin(), self.definition_.schema.end());
  for (const auto& component : schema) {
    if (auto migrated = sqlite::ApplyMigrations(*db, component.name, component.migrations);
        !migrated) {
      return Unexpected{migrated.error().message};
    }
  }
  if (auto limited = db->LimitSize(static_cast<std::uint64_t>(config.db_max_kib) * 1024); !limited) {
    return Unexpected{"cannot set the database size limit: " + limited.error().message};
  }
  auto checkpointer = sqlite::Checkpointer::Start(*db);
  if (!checkpointer) return Unexpected{"cannot open the checkpointer's connection: " + checkpointer.error().message};
  self.checkpointer_ = std::move(*checkpointer);
  auto reads = sqlite::ReadPool::Open(config.db, config.read_connections);
  if (!reads) return Unexpected{"cannot open read connections: " + reads.error().message};
  self.reads_ = std::move(*reads);
  auto relay_reader = sqlite::Database::Open(config.db, {sqlite::OpenMode::kReadOnly});
  if (!relay_reader) return Unexpected{"cannot open the relay's connection: " + relay_reader.error().message};
  // The lease's own connection, waiting on another instance's write lock no
  // longer than a renewal interval: a late renewal is a failed one.
  const auto lease_duration = std::chrono::milliseconds(config.relay_lease_ms);
  auto lease_db = sqlite::Database::Open(
      config.db, {sqlite::OpenMode::kReadWriteCreate, lease_duration / 4});
  if (!lease_db) return Unexpected{"cannot open the relay lease's connection: " + lease_db.error().message};
  self.lease_ = std::make_unique<messaging::RelayLease>(
      std::move(*lease_db), self.clock_,
      messaging::RelayLeaseSettings{lease_duration, messaging::ThisProcessAsLeaseHolder()});

  // Two connections: commands, queries, their replies and the consumers'
  // fetches on one that writes every message at once; the relay's publishes
  // and the consumers' acks on one that batches its writes (a round of up to
  // 256 events, or a batch of acks, in a few writes instead of one each: less
  // CPU here and in nats-server; see README, Performance). Fetches stay on the
  // first: on a batching connection every fetch would wait for the flusher's
  // tick.
  auto connect = [&](std::string name, bool send_at_once)
      -> common::Result<std::unique_ptr<nats::Connection>, std::string> {
    nats::ConnectionSettings nats_settings;
    nats_settings.url = config.nats_url;
    nats_settings.name = std::move(name);
    nats_settings.user = config.nats_user;
    nats_settings.password = config.nats_password;
    nats_settings.credentials_file = config.nats_creds;
    nats_settings.inbox_prefix = config.nats_inbox_prefix;
    nats_settings.tls_ca_file = config.nats_tls_ca;
    nats_settings.tls_cert_file = config.nats_tls_cert;
    nats_settings.tls_key_file = config.nats_tls_key;
    nats_settings.send_at_once = send_at_once;
    nats_settings.jetstream_check_interval = std::chrono::milliseconds(config.js_check_interval_ms);
    nats_settings.on_reconnected = [&self] {
      if (auto* relay = self.relay_for_callbacks_.load()) relay->NotifyReconnected();
    };
    nats_settings.on_closed = [&self](const std::string&) {
      // Nothing can be served without the connection: stop through the normal
      // shutdown path, and exit non-zero.
      self.connection_lost_.store(true);
      ::kill(::getpid(), SIGTERM);
    };
    auto connection = nats::Connection::Connect(std::move(nats_settings));
    if (!connection) return Unexpected{connection.error().message};
    if ((*connection)->IsClosed()) {
      return Unexpected{std::string("NATS closed the connection at once (refused credentials?); see "
                                    "the error logged above")};
    }
    return std::move(*connection);
  };
  auto connection = connect(self.definition_.name, true);
  if (!connection) return Unexpected{connection.error()};
  self.connection_ = std::move(*connection);
  auto events_connection = connect(self.definition_.name + "-events", false);
  if (!events_connection) return Unexpected{events_connection.error()};
  self.events_connection_ = std::move(*events_connection);

  messaging::WriterSettings writer_settings{config.writer_batch, 16384};
  writer_settings.crash_after_commit = messaging::FaultEnabled("exit-after-commit");
  self.writer_ = std::make_unique<messaging::Writer>(
      std::move(*db), writer_settings,
      [&self](sqlite::Database& db) {
        auto* relay = self.relay_for_callbacks_.load();
        if (relay == nullptr) return;
        if (auto last = messaging::SqliteOutbox(db).LastId()) {
          relay->NotifyCommitted(*last);
        } else {
          relay->Wake();
        }
      });

  if (!config.manage_streams && self.connection_->IsConnected()) {
    // Said before anything starts, when NATS can answer now; otherwise the
    // relay and the consumers check when it can (and stop the service).
    if (auto checked = self.CheckProvisionedStreams(); !checked) return Unexpected{checked.error()};
  }
  messaging::RelaySettings relay_settings;
  relay_settings.manage_streams = config.manage_streams;
  relay_settings.on_unusable_stream = [&self](const std::string& problem) {
    self.StopUnusable(problem);
  };
  relay_settings.window = config.relay_window;
  relay_settings.park_after_attempts = config.park_after_attempts;
  relay_settings.republish_horizon = std::chrono::seconds(config.republish_horizon_seconds);
  relay_settings.hold_until_flush = messaging::FaultEnabled("hold-relay");
  relay_settings.lease = self.lease_.get();
  for (auto stream : self.definition_.streams) {
    stream.duplicate_window = std::chrono::seconds(config.duplicate_window_seconds);
    stream.replicas = config.stream_replicas;
    relay_settings.streams.push_back(std::move(stream));
  }
  self.relay_ = std::make_unique<messaging::Relay>(*self.events_connection_, std::move(*relay_reader),
                                                   *self.writer_, self.clock_,
                                                   std::move(relay_settings));
  self.commands_ = std::make_unique<messaging::CommandRunner>(
      *self.writer_, self.clock_, std::chrono::seconds(config.idempotency_retention_seconds));
  self.writer_->Start();
  if (auto started = self.relay_->Start(); !started) return Unexpected{started.error().message};
  self.relay_for_callbacks_.store(self.relay_.get());
  self.PlanHousekeeping();
  self.figures_log_->Start();
  // The lease thread starts and stops the housekeeping: only the holder
  // deletes old rows. The relay watches the lease itself.
  self.lease_->Start(
      [&self](std::int64_t) {
        self.housekeeping_->Start();
        self.relay_->Wake();
      },
      [&self] { self.housekeeping_->Stop(); });
  if (auto rebuilt = self.RebuildProjections(); !rebuilt) return Unexpected{rebuilt.error()};
  return runtime;
}

void ServiceRuntime::PlanHousekeeping() {
  housekeeping_ = std::make_unique<messaging::Housekeeping>();
  const auto horizon = std::chrono::seconds(config_.republish_horizon_seconds);
  const auto inbox_retention = std::chrono::seconds(config_.inbox_retention_seconds);
  const auto idempotency_retention = std::chrono::seconds(config_.idempotency_retention_seconds);
  const common::Clock& clock = clock_;
  auto count = [](auto deleted) -> std::optional<std::int64_t> {
    if (!deleted) return std::nullopt;
    return *deleted;
  };
  // Published rows stay for the re-publish horizon: the relay may need them
  // again after a stream lost its tail (relay.hpp).
  housekeeping_->Add({"outbox", 5s,
                      messaging::CleanUpThroughWriter(
                          *writer_, kCleanupBatch,
                          [&clock, horizon, count](sqlite::Database& db, std::int64_t batch) {
                            return count(messaging::SqliteOutbox(db).DeletePublishedBefore(
                                clock.Now() - horizon, batch));
                          })});
  housekeeping_->Add({"inbox", 60s,
                      messaging::CleanUpThroughWriter(
                          *writer_, kCleanupBatch,
                          [&clock, inbox_retention, count](sqlite::Database& db, std::int64_t batch) {
                            return count(messaging::SqliteInbox(db).DeleteProcessedBefore(
                                clock.Now() - inbox_retention, batch));
                          })});
  housekeeping_->Add(
      {"idempotency", 60s,
       messaging::CleanUpThroughWriter(
           *writer_, kCleanupBatch,
           [&clock, idempotency_retention, count](sqlite::Database& db, std::int64_t batch) {
             return count(messaging::SqliteIdempotency(db).DeleteCreatedBefore(
                 clock.Now() - idempotency_retention, batch));
           })});
  figures_log_ = std::make_unique<messaging::Housekeeping>();
  figures_log_->Add({"figures", 60s, [this] {
                       LogFigures();
                       return false;
                     }});
}

void ServiceRuntime::LogFigures() {
  // Once a minute, the figures operators watch, as a log line.
  const nlohmann::json figures = Figures();
  const auto& outbox = figures["outbox"];
  std::int64_t pending = 0;
  for (const auto& [name, consumer] : figures["consumers"].items()) {
    pending += consumer.value("pending", std::int64_t{0});
  }
  logging::Info("service figures",
                {{"outbox_unpublished", outbox.value("unpublished", std::int64_t{-1})},
                 {"outbox_oldest_unpublished_age_ms",
                  outbox.contains("oldest_unpublished_age_ms") &&
                          outbox["oldest_unpublished_age_ms"].is_number()
                      ? outbox["oldest_unpublished_age_ms"].get<std::int64_t>()
                      : std::int64_t{0}},
                 {"relay_published", figures["relay"].value("published", std::int64_t{0})},
                 {"relay_commit_to_ack_p99_us",
                  figures["relay"]["commit_to_ack_us"].value("p99", std::int64_t{0})},
                 {"consumer_pending", pending}});
}

common::Result<void, std::string> ServiceRuntime::RebuildProjections() {
  if (!config_.rebuild_projections) return {};
  if (!definition_.projections) {
    return Unexpected{definition_.name + " keeps no projections to rebuild"};
  }
  logging::Info("rebuilding projections from the streams", {{"db", config_.db}});
  auto report =
      messaging::RebuildProjections(*connection_, config_.db, definition_.projections(clock_));
  if (!report) return Unexpected{"projection rebuild failed (nothing was swapped): " + report.error()};
  for (const auto& [table, rows] : report->rows) {
    logging::Info("projection rebuilt", {{"table", table},
                                         {"rows", rows},
                                         {"events_read", static_cast<std::int64_t>(report->events)},
                                         {"events_applied", static_cast<std::int64_t>(report->applied)}});
  }
  return {};
}

void ServiceRuntime::AddConsumer(messaging::ConsumerSpec spec, messaging::EventHandler handler,
                                 messaging::SideEffect before_transaction) {
  spec.batch = config_.consumer_batch;
  spec.max_deliveries = config_.max_deliveries;
  spec.retry_initial = std::chrono::milliseconds(config_.retry_initial_ms);
  spec.retry_max = std::chrono::milliseconds(config_.retry_max_ms);
  spec.dependency_wait = std::chrono::seconds(config_.dependency_wait_seconds);
  // A wait for another stream's state counts only while the other consumers
  // have nothing left to bring (they run on their own threads; consumers_ is
  // complete before Serve starts any of them).
  spec.manage_consumer = config_.manage_streams;
  spec.on_unusable = [this](const std::string& problem) { StopUnusable(problem); };
  spec.fail_events_containing = messaging::FaultArgument("fail-events-containing");
  spec.crash_after_effects_containing = messaging::FaultArgument("crash-after-effects-containing");
  spec.skip_events_containing = messaging::FaultArgument("skip-events-containing");
  const std::size_t index = consumers_.size();
  spec.others_caught_up = [this, index] {
    for (std::size_t i = 0; i < consumers_.size(); ++i) {
      if (i != index && consumers_[i]->Stats().pending > 0) return false;
    }
    return true;
  };
  consumers_.push_back(std::make_unique<messaging::EventConsumer>(
      *connection_, *events_connection_, *writer_, clock_, std::move(spec), std::move(handler),
      std::move(before_transaction)));
}

nlohmann::json ServiceRuntime::Figures() {
  nlohmann::json figures;
  {
    auto db = reads_->Acquire();
    auto outbox = messaging::SqliteOutbox(*db).Stats();
    if (outbox) {
      nlohmann::json oldest = nullptr;
      if (outbox->oldest_unpublished_created_at) {
        oldest = std::chrono::duration_cast<std::chrono::milliseconds>(
                     clock_.Now() - *outbox->oldest_unpublished_created_at)
                     .count();
      }
      nlohmann::json first_parked = nullptr;
      if (outbox->first_parked_at) {
        first_parked = std::chrono::duration_cast<std::chrono::milliseconds>(
                           clock_.Now() - *outbox->first_parked_at)
                           .count();
      }
      figures["outbox"] = {{"unpublished", outbox->unpublished},
                           {"oldest_unpublished_age_ms", oldest},
                           {"parked", outbox->parked},
                           {"first_parked_age_ms", first_parked},
                           {"last_id", outbox->last_id}};
    } else {
      figures["outbox"] = {{"error", outbox.error().message}};
    }
  }
  const auto relay = relay_->Stats();
  figures["relay"] = {{"published", relay.published},
                      {"failed_attempts", relay.failed_attempts},
                      {"last_error", relay.last_error},
                      {"republished_horizons", relay.republished_horizons},
                      {"unmarked", relay.unmarked},
                      {"failed_marks", relay.failed_marks},
                      {"parked_aggregates", relay.parked_aggregates},
                      {"parks_pending", relay.parks_pending},
                      {"last_round_latency_us", relay.last_round_latency.count()},
                      {"publishing", relay.publishing},
                      {"fenced_writes", relay.fenced_writes},
                      {"commit_to_ack_us",
                       {{"count", relay.commit_to_ack.count()},
                        {"p50", relay.commit_to_ack.Percentile(0.50).count()},
                        {"p90", relay.commit_to_ack.Percentile(0.90).count()},
                        {"p99", relay.commit_to_ack.Percentile(0.99).count()},
                        {"max", relay.commit_to_ack.Max().count()}}}};
  const auto lease = lease_->Figures();
  figures["relay"]["lease"] = {{"held", lease.held},
                               {"epoch", lease.epoch},
                               {"holder", lease.holder},
                               {"acquisitions", lease.acquisitions},
                               {"losses", lease.losses},
                               {"last_error", lease.last_error}};
  // Runs on the relay lease holder only.
  figures["housekeeping"] = {{"running", housekeeping_ && housekeeping_->Running()}};
  figures["replies_refused"] = responder_ ? responder_->reply_guard().refused() : 0;
  const auto writer = writer_->Stats();
  figures["writer"] = {{"queue_depth", writer.queue_depth},
                       {"durable_commits", writer.durable_commits},
                       {"bookkeeping_commits", writer.bookkeeping_commits},
                       {"changes_committed", writer.changes_committed}};
  figures["consumers"] = nlohmann::json::object();
  for (const auto& consumer : consumers_) {
    const auto stats = consumer->Stats();
    figures["consumers"][consumer->spec().durable] = {{"stream", consumer->spec().stream},
                                                      {"processed", stats.processed},
                                                      {"duplicates", stats.duplicates},
                                                      {"retries", stats.retries},
                                                      {"dead_letters", stats.dead_letters},
                                                      {"pending", stats.pending},
                                                      {"holds", stats.holds},
                                                      {"held", stats.held},
                                                      {"holding", stats.holding},
                                                      {"last_error", stats.last_error},
                                                      {"leader", stats.leader},
                                                      {"rereads", stats.rereads},
                                                      {"reread_applied", stats.reread_applied}};
  }
  const auto storage = sqlite::StorageHealth();
  figures["storage"] = {{"full", storage.full},
                        {"full_errors", storage.full_errors},
                        {"full_since", storage.full_since ? nlohmann::json(common::FormatRfc3339(
                                                                *storage.full_since))
                                                          : nlohmann::json(nullptr)},
                        {"corrupt", storage.corrupt},
                        {"corruption", storage.corruption}};
  figures["nats"] = {{"connected", connection_->IsConnected()},
                     {"events_connected", events_connection_->IsConnected()}};
  figures["alarms"] = alarms_.Figures();
  return figures;
}

void ServiceRuntime::CheckAlarms() {
  AlarmInputs inputs;
  {
    auto db = reads_->Acquire();
    auto outbox = messaging::SqliteOutbox(*db).Stats();
    if (!outbox) return;  // storage trouble has its own figures; judge on the next check
    if (outbox->oldest_unpublished_created_at) {
      inputs.oldest_unpublished_age = std::chrono::duration_cast<std::chrono::milliseconds>(
          clock_.Now() - *outbox->oldest_unpublished_created_at);
    }
    inputs.parked = outbox->parked;
    for (const auto& consumer : consumers_) {
      const std::string& durable = consumer->spec().durable;
      if (auto letters = messaging::SqliteInbox(*db).CountDeadLetters(durable)) {
        inputs.dead_letters[durable] = *letters;
      }
    }
  }
  for (const auto& consumer : consumers_) {
    inputs.consumer_lag[consumer->spec().durable] = consumer->Stats().pending;
  }
  const AlarmThresholds thresholds{std::chrono::seconds(config_.alarm_unpublished_age_seconds),
                                   static_cast<std::uint64_t>(config_.alarm_consumer_lag)};
  alarms_.Update(JudgeAlarms(inputs, thresholds), clock_.Now());
}

common::Result<void, std::string> ServiceRuntime::Serve(std::vector<messaging::Endpoint> endpoints) {
  responder_ = std::make_unique<messaging::Responder>(*connection_, definition_.name,
                                                      definition_.name, ids_);
  endpoints.push_back(messaging::Endpoint{
      "status", definition_.name + ".query.status",
      [this](const std::shared_ptr<messaging::IncomingRequest>& request) {
        request->Respond(json::Serialize(Figures()));
      },
      messaging::EndpointSchemas("service/queries/status.json", "service/replies/status.json")});
  // <service>.admin.>: dead letters and parked events (admin_endpoints.hpp).
  std::vector<messaging::EventConsumer*> consumers;
  for (auto& consumer : consumers_) consumers.push_back(consumer.get());
  for (auto& endpoint : AdminEndpoints({definition_.name, *reads_, *writer_, *relay_, clock_,
                                        std::move(consumers), config_.max_body_bytes})) {
    endpoints.push_back(std::move(endpoint));
  }
  for (auto& endpoint : endpoints) {
    const std::string subject = endpoint.subject;
    if (auto added = responder_->Add(std::move(endpoint)); !added) {
      return Unexpected{added.error().message};
    }
  }
  if (!config_.manage_streams && connection_->IsConnected()) {
    if (auto checked = CheckProvisionedStreams(); !checked) return Unexpected{checked.error()};
  }
  for (auto& consumer : consumers_) consumer->Start();
  alarm_watch_ = std::make_unique<AlarmWatch>(
      std::chrono::milliseconds(config_.alarm_check_interval_ms), [this] { CheckAlarms(); });
  std::string instance = ids_.NextId();
  std::erase(instance, '-');
  discovery_ = std::make_unique<messaging::ServiceDiscovery>(
      *connection_,
      messaging::ServiceIdentity{definition_.name, instance, definition_.version,
                                 definition_.description, {{"service", definition_.name}}, started_},
      *responder_, [this] { return Figures(); });
  if (auto started = discovery_->Start(); !started) return Unexpected{started.error().message};
  if (!config_.metrics_address.empty()) {
    MetricsSources sources{definition_.name, *responder_, *relay_, *writer_, consumers_,
                           *reads_,          config_.db, clock_};
    auto metrics = MetricsServer::Start(config_.metrics_address,
                                        [sources] { return SampleMetrics(sources); });
    if (!metrics) return Unexpected{metrics.error()};
    metrics_ = std::move(*metrics);
  }
  // Make sure the server knows the subscriptions before announcing readiness,
  // so a request sent right after "ready" finds a responder.
  if (connection_->IsConnected()) (void)connection_->Flush(2s);
  const bool connected = connection_->IsConnected();
  logging::Info(definition_.name + (connected ? " service ready"
                                              : " service ready, waiting for NATS: requests are "
                                                "served once it connects"),
                {{"version", definition_.version},
                 {"nats_url", nats::RedactUrl(config_.nats_url)},
                 {"db", config_.db},
                 {"metrics", metrics_ ? "http://" + config_.metrics_address + "/metrics" : ""},
                 {"connected", connected}});
  return {};
}

void ServiceRuntime::StopUnusable(const std::string& problem) {
  {
    std::lock_guard lock(unusable_mutex_);
    if (unusable_) return;
    unusable_ = problem;
  }
  logging::Error("cannot run: " + problem);
  ::kill(::getpid(), SIGTERM);
}

std::optional<std::string> ServiceRuntime::Unusable() {
  std::lock_guard lock(unusable_mutex_);
  return unusable_;
}

common::Result<void, std::string> ServiceRuntime::CheckProvisionedStreams() {
  auto js = nats::JetStream::Create(*connection_);
  if (!js) return Unexpected{js.error().message};
  for (auto stream : definition_.streams) {
    stream.duplicate_window = std::chrono::seconds(config_.duplicate_window_seconds);
    stream.replicas = config_.stream_replicas;
    auto checked = messaging::CheckStream(**js, stream);
    if (!checked && checked.error().kind != messaging::ProvisioningProblem::Kind::kUnavailable) {
      return Unexpected{checked.error().message};
    }
  }
  for (const auto& consumer : consumers_) {
    auto checked = messaging::CheckDurableConsumer(**js, consumer->spec());
    if (!checked && checked.error().kind != messaging::ProvisioningProblem::Kind::kUnavailable) {
      return Unexpected{checked.error().message};
    }
  }
  return {};
}

int ServiceRuntime::ServeUntilStopped(std::vector<messaging::Endpoint> endpoints) {
  if (auto served = Serve(std::move(endpoints)); !served) {
    logging::Error("cannot serve", {{"error", served.error()}});
    return 1;
  }
  return RunUntilStopped();
}

int ServiceRuntime::RunUntilStopped() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  sigwait(&signals, &received);
  if (connection_lost_.load()) {
    logging::Error("stopping: the NATS connection is closed for good");
    Shutdown();
    return 1;
  }
  if (auto problem = Unusable()) {
    logging::Error("stopping: " + *problem);
    Shutdown();
    return 1;
  }
  logging::Info("stopping", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  Shutdown();
  return 0;
}

void ServiceRuntime::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  metrics_.reset();  // no scrape reads the parts while they stop
  const auto budget = std::chrono::seconds(config_.shutdown_timeout_seconds);
  const auto deadline = std::chrono::steady_clock::now() + budget;
  auto left = [&] {
    return std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - std::chrono::steady_clock::now()));
  };
  alarm_watch_.reset();  // before what it reads stops
  if (discovery_) discovery_->Stop();
  if (connection_ && !connection_->IsConnected()) {
    // Nothing can arrive or be answered: no drain to wait for, no flush.
    logging::Info("NATS is not connected: nothing to drain or publish; the outbox waits for the "
                  "next start");
  } else if (responder_) {
    responder_->Drain(left());
  }
  for (auto& consumer : consumers_) consumer->Stop();
  // The consumers' last acks wait in the events connection's buffer: send
  // them now rather than have those events redelivered after a restart.
  if (!consumers_.empty() && events_connection_ && events_connection_->IsConnected()) {
    (void)events_connection_->Flush(std::max(left(), std::chrono::milliseconds(1)));
  }
  if (writer_) writer_->WaitIdle(left());
  // The lease, not the relay's last look at it: a relay that has not yet
  // noticed the lease it holds (a stop right after the start) must flush.
  if (relay_ && lease_ && !lease_->HeldEpoch()) {
    logging::Info("another instance holds the relay lease and publishes this one's events");
  } else if (relay_ && events_connection_ && events_connection_->IsConnected()) {
    if (relay_->Flush(left())) {
      logging::Info("outbox flushed");
    } else {
      logging::Warn("outbox not fully flushed before the shutdown timeout; the rest is "
                    "published at the next start");
    }
  }
  relay_for_callbacks_.store(nullptr);
  if (figures_log_) figures_log_->Stop();
  if (housekeeping_) housekeeping_->Stop();
  if (relay_) relay_->Stop();
  // After the relay's last marks: a survivor takes over from here.
  if (lease_) lease_->Stop(true);
  if (writer_) writer_->Stop();  // after the relay: its last marks are committed
  discovery_.reset();
  responder_.reset();
  consumers_.clear();
  if (events_connection_) events_connection_->Close();
  if (connection_) connection_->Close();
  logging::Info("stopped");
}

}  // namespace logistics::service
