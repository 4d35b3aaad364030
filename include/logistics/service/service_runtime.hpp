// ServiceRuntime: the parts every service runs, assembled and stopped in order.
//
// Open() blocks SIGTERM and SIGINT (so every thread started afterwards leaves
// them to RunUntilStopped), opens the database, checks it for damage
// (startup_integrity_check.hpp; refusing a damaged file) and applies the
// service's migrations (refusing a database from a newer version), opens the read
// pool, connects to NATS (retrying in the background forever), starts the
// writer and the relay, and, with --rebuild-projections, rebuilds the
// service's projections from the streams, and takes part in the relay lease
// (messaging/relay_lease.hpp): of the instances sharing the database, the
// holder's relay publishes and the holder runs the housekeeping
// (messaging/housekeeping.hpp: outbox, inbox and idempotency clean-up); every
// instance logs its figures once a minute. Serve() subscribes the endpoints and logs
// "<service> service ready"; consumers added with AddConsumer start then too,
// and with --metrics-address, GET /metrics (runtime_metrics.hpp).
// RunUntilStopped() waits for a stop signal, then:
//   1. drains the endpoint subscriptions (no new commands; received ones run),
//      and stops the consumers after their batch in progress is acknowledged,
//   2. waits for the writer to finish the queued work,
//   3. lets the relay publish what is in the outbox (bounded by
//      --shutdown-timeout; what is left is published at the next start),
//   4. stops the housekeeping and the relay, hands the relay lease back (a
//      surviving instance takes over at once), stops the writer and closes
//      the connections,
// and returns exit code 0.
//
// Test-only fault switches (LOGISTICS_FAULT, messaging/fault_injection.hpp)
// are read here, once, and handed to the writer, the relay and the consumers
// as settings; nothing else reads the environment.
//
// Ownership: owns every part; the parts borrow each other in an order the
// member declarations keep valid. Thread-safety: call from main's thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/common/result.hpp"
#include "logistics/common/uuid.hpp"
#include "logistics/messaging/command_runner.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/housekeeping.hpp"
#include "logistics/messaging/projection_rebuild.hpp"
#include "logistics/messaging/relay.hpp"
#include "logistics/messaging/relay_lease.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/messaging/service_discovery.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/service/metrics_server.hpp"
#include "logistics/service/alarms.hpp"
#include "logistics/service/service_config.hpp"
#include "logistics/sqlite/checkpointer.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "logistics/sqlite/read_pool.hpp"

namespace logistics::service {

// The tables one component owns in the service's database.
struct SchemaComponent {
  std::string name;
  std::span<const sqlite::Migration> migrations;
};

struct ServiceDefinition {
  std::string name;         // "orders": log field, queue group, rejected-subject prefix
  std::string version;      // SemVer
  std::string description;  // shown by `nats micro info`
  std::vector<SchemaComponent> schema;  // the outbox is added by the runtime
  std::vector<messaging::StreamSpec> streams;
  // How to rebuild the service's projections from the streams, for services
  // that keep any; Open runs it when --rebuild-projections was given.
  std::function<messaging::ProjectionRebuildSpec(const common::Clock&)> projections;
};

class ServiceRuntime {
 public:
  // Fails (with a message for the operator) when the database cannot be
  // opened or migrated, or NATS settings are invalid.
  static common::Result<std::unique_ptr<ServiceRuntime>, std::string> Open(
      ServiceDefinition definition, const ServiceConfig& config);
  ~ServiceRuntime();

  messaging::Writer& writer() { return *writer_; }
  messaging::CommandRunner& commands() { return *commands_; }
  sqlite::ReadPool& reads() { return *reads_; }
  common::IdGenerator& ids() { return ids_; }
  const common::Clock& clock() const { return clock_; }
  nats::Connection& connection() { return *connection_; }
  messaging::Relay& relay() { return *relay_; }

  // Adds a durable consumer (started by Serve). Its spec's retry and batch
  // settings are taken from the configuration.
  void AddConsumer(messaging::ConsumerSpec spec, messaging::EventHandler handler,
                   messaging::SideEffect before_transaction = {});
  const std::vector<std::unique_ptr<messaging::EventConsumer>>& consumers() const {
    return consumers_;
  }

  // The service's own figures: outbox depth and oldest unpublished age, relay,
  // writer and consumer state. Reported by <service>.query.status, in every
  // endpoint's `data` of $SRV.STATS, and logged once a minute.
  nlohmann::json Figures();

  // Subscribes every endpoint in the service's queue group (plus
  // <service>.query.status), starts the consumers and answers $SRV discovery.
  common::Result<void, std::string> Serve(std::vector<messaging::Endpoint> endpoints);
  // Blocks until SIGTERM or SIGINT (or until NATS closes the connection for
  // good), then shuts down in order. Returns the exit code: 0 after a signal,
  // 1 when the connection was lost for good (a supervisor should restart us).
  int RunUntilStopped();
  // Serve, then RunUntilStopped: what every service's main ends with. A
  // subscription that fails is logged ("cannot subscribe") and exits 1.
  int ServeUntilStopped(std::vector<messaging::Endpoint> endpoints);

 private:
  ServiceRuntime(ServiceDefinition definition, const ServiceConfig& config);
  void Shutdown();
  common::Result<void, std::string> RebuildProjections();
  // Registers the clean-up tasks and the figures log line.
  void PlanHousekeeping();
  void LogFigures();
  // Reads what the alarms are judged on and updates the board (AlarmWatch).
  void CheckAlarms();

  ServiceDefinition definition_;
  ServiceConfig config_;
  common::SystemClock clock_;
  common::UuidV7Generator ids_;
  // Declaration order is destruction order reversed: the connection outlives
  // the relay and the responder; the writer outlives the relay's jobs.
  std::unique_ptr<nats::Connection> connection_;  // requests and replies, written at once
  // The relay's publishes and the consumers' acks, batched writes.
  std::unique_ptr<nats::Connection> events_connection_;
  std::unique_ptr<sqlite::ReadPool> reads_;
  // Before the writer: it takes the checkpoints the writer's commits ask for,
  // so it must outlive the writer.
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;
  std::unique_ptr<messaging::Writer> writer_;
  // Borrowed by the relay, so declared before it (and destroyed after it).
  std::unique_ptr<messaging::RelayLease> lease_;
  std::unique_ptr<messaging::Relay> relay_;
  std::unique_ptr<messaging::CommandRunner> commands_;
  std::unique_ptr<messaging::Responder> responder_;
  std::vector<std::unique_ptr<messaging::EventConsumer>> consumers_;
  std::unique_ptr<messaging::ServiceDiscovery> discovery_;
  // GET /metrics (--metrics-address), reading the parts above: stopped first.
  std::unique_ptr<MetricsServer> metrics_;
  common::Timestamp started_;
  std::atomic<messaging::Relay*> relay_for_callbacks_{nullptr};
  // After the writer it hands its deletes to: stopped (and destroyed) first.
  // Runs on the lease holder only (the lease's callbacks start and stop it).
  std::unique_ptr<messaging::Housekeeping> housekeeping_;
  // The figures log line, on every instance.
  std::unique_ptr<messaging::Housekeeping> figures_log_;
  AlarmBoard alarms_;
  std::unique_ptr<AlarmWatch> alarm_watch_;
  std::atomic<bool> connection_lost_{false};
  // Set (once) when a stream or durable consumer an administrator provisions
  // is missing or configured differently (--manage-streams=false): the
  // service stops and exits 1 with this message.
  void StopUnusable(const std::string& problem);
  std::optional<std::string> Unusable();
  // Checks the streams and consumers an administrator provisions; fails with
  // the first that is missing or differs (not when NATS cannot answer).
  common::Result<void, std::string> CheckProvisionedStreams();
  std::mutex unusable_mutex_;
  std::optional<std::string> unusable_;
  bool stopped_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread (and threads it starts).
void BlockStopSignals();

}  // namespace logistics::service
