// SqlitePaymentUnitOfWork: PaymentUnitOfWork over the payments and outbox tables.
//
// Save writes the payment row and one outbox row per event (a CloudEvent, see
// payment_cloud_events.hpp) on the writer's connection, inside the current
// savepoint: the writer's commit makes both durable together, or neither.
// Each instance serves one command or consumed event and carries its
// metadata (correlation, causation, trace context) into the events.
//
// Ownership: borrows the Database and the id generator. Thread-safety: writer
// thread only.
#pragma once

#include "logistics/common/id_generator.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/payments/application/ports/payment_unit_of_work.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::payments::infrastructure {

class SqlitePaymentUnitOfWork final : public application::PaymentUnitOfWork {
 public:
  SqlitePaymentUnitOfWork(sqlite::Database& db, common::IdGenerator& event_ids,
                          messaging::EventMetadata metadata)
      : db_(db), event_ids_(event_ids), metadata_(std::move(metadata)) {}

  application::PaymentResult<void> Save(const domain::Payment& payment,
                                        const std::vector<domain::PaymentEvent>& events) override;

 private:
  sqlite::Database& db_;
  common::IdGenerator& event_ids_;
  messaging::EventMetadata metadata_;
};

}  // namespace logistics::payments::infrastructure
