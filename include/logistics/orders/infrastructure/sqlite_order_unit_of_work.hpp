// SqliteOrderUnitOfWork: OrderUnitOfWork over the orders and outbox tables.
//
// Save writes the order row and one outbox row per event (a CloudEvent, see
// order_cloud_events.hpp) on the writer's connection, inside the savepoint of
// the current command: the writer's commit makes both durable together, or
// neither. Each instance serves one command and carries that command's
// metadata (correlation, causation, trace context) into its events.
//
// Ownership: borrows the Database, the id generator and the clock.
// Thread-safety: writer thread only.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/orders/application/ports/order_unit_of_work.hpp"
#include "logistics/orders/infrastructure/order_cloud_events.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::orders::infrastructure {

class SqliteOrderUnitOfWork final : public application::OrderUnitOfWork {
 public:
  SqliteOrderUnitOfWork(sqlite::Database& db, common::IdGenerator& event_ids,
                        messaging::EventMetadata metadata)
      : db_(db), event_ids_(event_ids), metadata_(std::move(metadata)) {}

  application::OrderResult<void> Save(const domain::Order& order,
                                      const std::vector<domain::OrderEvent>& events) override;

 private:
  sqlite::Database& db_;
  common::IdGenerator& event_ids_;
  messaging::EventMetadata metadata_;
};

}  // namespace logistics::orders::infrastructure
