// SqliteOrderStore: OrderStore over the orders and outbox tables of the
// connection a transaction runs on (the writer's, inside the savepoint of the
// current command or consumed event).
//
// The repository reads through that connection, so a command reads what it
// builds on; the unit of work writes the order and its events there, carrying
// `metadata` (correlation, causation, trace context) into the events. Opened
// per command by the composition root (src/apps/orders/main.cpp), which is the
// only place that names this type.
//
// Ownership: borrows the Database and the id generator, which outlive it.
// Thread-safety: writer thread only.
#pragma once

#include "logistics/common/id_generator.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/orders/application/ports/order_store.hpp"
#include "logistics/orders/infrastructure/sqlite_order_repository.hpp"
#include "logistics/orders/infrastructure/sqlite_order_unit_of_work.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::orders::infrastructure {

class SqliteOrderStore final : public application::OrderStore {
 public:
  SqliteOrderStore(sqlite::Database& db, common::IdGenerator& event_ids,
                   messaging::EventMetadata metadata)
      : orders_(db), unit_of_work_(kOrderRows, db, event_ids, std::move(metadata)) {}

  application::OrderRepository& orders() override { return orders_; }
  application::OrderUnitOfWork& unit_of_work() override { return unit_of_work_; }

 private:
  SqliteOrderRepository orders_;
  SqliteOrderUnitOfWork unit_of_work_;
};

}  // namespace logistics::orders::infrastructure
