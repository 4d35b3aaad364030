// SqliteUnitOfWork<Rows>: a service's unit-of-work port over its aggregate's
// table and the outbox, written once for every aggregate.
//
// Save writes the aggregate's row with the optimistic version check and one
// outbox row per event (SaveAggregate), on the connection of the current
// transaction (the writer's, inside the savepoint of the command or consumed
// event): the writer's commit makes both durable together, or neither. Each
// instance serves one transaction and carries its metadata (correlation,
// causation, trace context) into the events.
//
// What differs between aggregates is a value, AggregateRows: the table, how a
// row is bound, how an event becomes a CloudEvent and its subject, when it
// occurred, and what a refused write means in the aggregate's domain. Each
// service defines its one constant next to its schema (sqlite_order_unit_of_work.cpp):
//   const SqliteOrderUnitOfWork::Rows kOrderRows{
//       AggregateTable{"orders storage", "orders", "order_id", {...columns}},
//       &BindOrder, &ToCloudEvent, &EventSubject, &OccurredAt, &Refusal};
//
// Ownership: borrows the Database and the id generator, which outlive it.
// Thread-safety: writer thread only.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "logistics/aggregate_service/application/use_case_failure.hpp"
#include "logistics/aggregate_service/infrastructure/sqlite_aggregate_write.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/common/time.hpp"
#include "logistics/messaging/cloud_event.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::aggregate_service::infrastructure {

template <typename Aggregate, typename Event, typename Rejection>
struct AggregateRows {
  using Snapshot = std::remove_cvref_t<decltype(std::declval<const Aggregate&>().snapshot())>;

  AggregateTable table;
  void (*bind)(sqlite::Statement& row, const Snapshot& snapshot);
  messaging::CloudEvent (*to_cloud_event)(const Event& event, std::string event_id,
                                          const messaging::EventMetadata& metadata);
  std::string (*subject)(const Event& event);
  common::Timestamp (*occurred_at)(const Event& event);
  Rejection (*refusal)(AggregateWrite outcome, const Snapshot& snapshot);
};

// Port: the service's unit-of-work port, whose Save this implements.
template <typename Port, typename Aggregate, typename Event, typename Rejection>
class SqliteUnitOfWork final : public Port {
 public:
  using Rows = AggregateRows<Aggregate, Event, Rejection>;

  // `rows` is a constant of the service's; it outlives every unit of work.
  SqliteUnitOfWork(const Rows& rows, sqlite::Database& db, common::IdGenerator& event_ids,
                   messaging::EventMetadata metadata)
      : rows_(rows), db_(db), event_ids_(event_ids), metadata_(std::move(metadata)) {}

  UseCaseResult<void, Rejection> Save(const Aggregate& aggregate,
                                      const std::vector<Event>& events) override {
    const auto& snapshot = aggregate.snapshot();
    auto saved = SaveAggregate(
        db_, rows_.table, snapshot.version,
        [this, &snapshot](sqlite::Statement& row) { rows_.bind(row, snapshot); }, events.size(),
        [this, &events](std::size_t i) {
          const Event& event = events[i];
          return OutboxEntry{
              messaging::ToOutboxMessage(rows_.to_cloud_event(event, event_ids_.NextId(), metadata_),
                                         rows_.subject(event)),
              rows_.occurred_at(event)};
        },
        metadata_.max_event_bytes);
    if (!saved) return Failed(saved.error());
    if (*saved == AggregateWrite::kSaved) return {};
    return Rejected(rows_.refusal(*saved, snapshot));
  }

 private:
  const Rows& rows_;
  sqlite::Database& db_;
  common::IdGenerator& event_ids_;
  messaging::EventMetadata metadata_;
};

}  // namespace logistics::aggregate_service::infrastructure
