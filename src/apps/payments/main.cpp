// The payments service: composition root. It parses the configuration, names
// the adapters, wires them into the runtime and runs until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>

#include "logistics/aggregate_service/infrastructure/pooled_read_store.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/payments/infrastructure/nats_order_directory.hpp"
#include "logistics/payments/infrastructure/payment_cloud_events.hpp"
#include "logistics/payments/infrastructure/payments_schema.hpp"
#include "logistics/payments/infrastructure/sqlite_order_projection.hpp"
#include "logistics/payments/infrastructure/sqlite_payment_store.hpp"
#include "logistics/payments/presentation/order_events.hpp"
#include "logistics/payments/presentation/payment_endpoints.hpp"
#include "logistics/service/event_streams.hpp"
#include "logistics/service/service_runtime.hpp"
#include "logistics/service/guarded_main.hpp"

namespace {

constexpr const char* kVersion = "0.1.0";

int Run(int argc, char** argv) {
  using namespace logistics;
  namespace infra = payments::infrastructure;
  CLI::App app{"payments: owns payments for logistics orders; commands and queries over NATS, "
               "events in the JetStream stream PAYMENTS"};
  app.set_version_flag("--version", kVersion);
  service::ServiceConfig config;
  service::AddServiceFlags(app, config, "payments");
  app.add_flag("--rebuild-projections", config.rebuild_projections,
               "rebuild this service's projections from the event streams before serving")
      ->envname("REBUILD_PROJECTIONS");
  std::int64_t orders_timeout_ms = 2000;
  app.add_option("--orders-timeout-ms", orders_timeout_ms,
                 "how long register waits for orders.query.get about an unknown order")
      ->envname("ORDERS_TIMEOUT_MS")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}))
      ->capture_default_str();
  if (auto stop = service::ParseFlags(app, argc, argv, config, "payments")) return *stop;

  service::ServiceDefinition definition{
      "payments",
      kVersion,
      "Owns payments for logistics orders: commands and queries over NATS, events in the JetStream stream PAYMENTS",
      {{"payments", infra::PaymentsMigrations()}},
      {service::PaymentsStream(service::RetentionOf(config))},
      [](const common::Clock& clock) {
        auto spec = payments::presentation::OrderViewRebuild([&clock](sqlite::Database& scratch) {
          return std::unique_ptr<payments::application::OrderProjection>(
              std::make_unique<infra::SqliteOrderProjection>(scratch, clock));
        });
        spec.schema = {{"payments", infra::PaymentsMigrations()}};
        return spec;
      }};
  auto runtime = service::ServiceRuntime::Open(std::move(definition), config);
  if (!runtime) {
    logging::Error("cannot start", {{"error", runtime.error()}});
    return 1;
  }
  service::ServiceRuntime& service = **runtime;
  // The adapters behind the application ports: SQLite, on the writer's
  // connection in a transaction and on the read pool for queries; NATS for
  // asking the orders service.
  payments::presentation::PaymentStorage storage;
  storage.in_transaction = [&ids = service.ids(), &clock = service.clock()](
                               sqlite::Database& transaction, messaging::EventMetadata metadata) {
    return std::unique_ptr<payments::application::PaymentStore>(
        std::make_unique<infra::SqlitePaymentStore>(transaction, ids, clock, std::move(metadata)));
  };
  storage.for_reading = [&reads = service.reads(), &clock = service.clock()] {
    return aggregate_service::infrastructure::OpenOnReadPool<
        payments::application::PaymentReadStore, infra::SqlitePaymentReadStore>(reads, clock);
  };
  service.AddConsumer(service::DurableConsumerOn("payments", "ORDERS"),
                      payments::presentation::OrderEventsHandler(storage.in_transaction,
                                                                 service.clock()));
  const infra::NatsOrderDirectory orders(service.connection(),
                                         std::chrono::milliseconds(orders_timeout_ms));
  payments::presentation::PaymentEndpoints endpoints(service.commands(), storage, service.ids(),
                                                     service.clock(), orders,
                                                     config.max_body_bytes);
  return service.ServeUntilStopped(endpoints.Endpoints());
}

}  // namespace

int main(int argc, char** argv) {
  return logistics::service::GuardedMain("payments", Run, argc, argv);
}
