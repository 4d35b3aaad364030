// SqlitePaymentReadStore and SqlitePaymentStore: the payments storage ports
// (payment_store.hpp) over the payments, order_view and outbox tables of one
// connection.
//
// The read store serves queries and the order lookup before a registration,
// on a pooled read-only connection. The store serves one command or consumed
// event on the writer's connection, inside its savepoint: payments, the
// projection record and the events (carrying `metadata`) commit together.
// Only the composition root (src/apps/payments/main.cpp) names these types.
//
// Ownership: borrows the Database, the id generator and the clock, which
// outlive it. Thread-safety: that of the connection (one thread at a time).
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/payments/application/ports/payment_store.hpp"
#include "logistics/payments/infrastructure/sqlite_order_projection.hpp"
#include "logistics/payments/infrastructure/sqlite_payment_repository.hpp"
#include "logistics/payments/infrastructure/sqlite_payment_unit_of_work.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::payments::infrastructure {

class SqlitePaymentReadStore final : public application::PaymentReadStore {
 public:
  SqlitePaymentReadStore(sqlite::Database& db, const common::Clock& clock)
      : payments_(db), orders_(db, clock) {}

  application::PaymentRepository& payments() override { return payments_; }
  application::OrderProjection& orders() override { return orders_; }

 private:
  SqlitePaymentRepository payments_;
  SqliteOrderProjection orders_;
};

class SqlitePaymentStore final : public application::PaymentStore {
 public:
  SqlitePaymentStore(sqlite::Database& db, common::IdGenerator& event_ids,
                     const common::Clock& clock, messaging::EventMetadata metadata)
      : payments_(db),
        orders_(db, clock),
        unit_of_work_(kPaymentRows, db, event_ids, std::move(metadata)) {}

  application::PaymentRepository& payments() override { return payments_; }
  application::OrderProjection& orders() override { return orders_; }
  application::PaymentUnitOfWork& unit_of_work() override { return unit_of_work_; }

 private:
  SqlitePaymentRepository payments_;
  SqliteOrderProjection orders_;
  SqlitePaymentUnitOfWork unit_of_work_;
};

}  // namespace logistics::payments::infrastructure
