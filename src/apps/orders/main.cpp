// The orders service: composition root. It parses the configuration, names
// the adapters, wires them into the runtime and runs until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>

#include "logistics/aggregate_service/infrastructure/pooled_read_store.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/orders/infrastructure/order_cloud_events.hpp"
#include "logistics/orders/infrastructure/orders_schema.hpp"
#include "logistics/orders/infrastructure/sqlite_order_repository.hpp"
#include "logistics/orders/infrastructure/sqlite_order_store.hpp"
#include "logistics/orders/presentation/order_endpoints.hpp"
#include "logistics/orders/presentation/payment_events.hpp"
#include "logistics/service/event_streams.hpp"
#include "logistics/service/service_runtime.hpp"
#include "logistics/service/guarded_main.hpp"

namespace {

constexpr const char* kVersion = "0.1.0";

int Run(int argc, char** argv) {
  using namespace logistics;
  CLI::App app{"orders: owns logistics orders; commands and queries over NATS, events in "
               "the JetStream stream ORDERS"};
  app.set_version_flag("--version", kVersion);
  service::ServiceConfig config;
  service::AddServiceFlags(app, config, "orders");
  if (auto stop = service::ParseFlags(app, argc, argv, config, "orders")) return *stop;

  service::ServiceDefinition definition{
      "orders",
      kVersion,
      "Owns logistics orders: commands and queries over NATS, events in the JetStream stream ORDERS",
      {{"orders", orders::infrastructure::OrdersMigrations()}},
      {service::OrdersStream(service::RetentionOf(config))},
      {}};  // orders keeps no projection: its reaction to payments changes orders
  auto runtime = service::ServiceRuntime::Open(std::move(definition), config);
  if (!runtime) {
    logging::Error("cannot start", {{"error", runtime.error()}});
    return 1;
  }
  service::ServiceRuntime& service = **runtime;
  // The adapters behind the application ports: SQLite, on the writer's
  // connection in a transaction and on the read pool for queries.
  orders::presentation::OrderStorage storage;
  storage.in_transaction = [&ids = service.ids()](sqlite::Database& transaction,
                                                  messaging::EventMetadata metadata) {
    return std::unique_ptr<orders::application::OrderStore>(
        std::make_unique<orders::infrastructure::SqliteOrderStore>(transaction, ids,
                                                                   std::move(metadata)));
  };
  storage.for_reading = [&reads = service.reads()] {
    return aggregate_service::infrastructure::OpenOnReadPool<
        orders::application::OrderRepository, orders::infrastructure::SqliteOrderRepository>(reads);
  };

  service.AddConsumer(service::DurableConsumerOn("orders", "PAYMENTS"),
                      orders::presentation::PaymentEventsHandler(storage.in_transaction,
                                                                 service.clock()));
  orders::presentation::OrderEndpoints endpoints(service.commands(), storage, service.ids(),
                                                 service.clock(), {config.max_body_bytes});
  return service.ServeUntilStopped(endpoints.Endpoints());
}

}  // namespace

int main(int argc, char** argv) {
  return logistics::service::GuardedMain("orders", Run, argc, argv);
}
