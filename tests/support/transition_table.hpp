// Transition tables: an aggregate's state machine written as rows (a status,
// a command, what the command must do), and the two checks every such table
// gets, whatever the aggregate.
//
// A test describes its commands once, as a vector of CommandSpecs (how each is
// named, run and recorded), and its rows as a struct with at least `from` (a
// status) and `command` (an id of a CommandSpec). Then:
//   - ForEveryStatusAndCommand() hands a check the rows of each status and
//     command, to show the table covers the whole state machine;
//   - CheckTransitionRow<Table>() runs one row on a stored aggregate and checks
//     the outcome the row expects, where `Table` says how rows map onto the
//     aggregate:
//
//   struct OrderTable {
//     using Row = Transition;
//     // The aggregate the row's command runs on, as a repository returns it.
//     static Order Stored(const Row&);
//     static const OrderCommand& CommandOf(const Row&);
//     static Verdict<OrderStatus, OrderError> VerdictOf(const Row&);
//     // What an allowed change sets besides status, version and updated_at.
//     static void AlsoChanged(const Row&, OrderSnapshot& expected);
//     // Checks the recorded event's fields besides its type.
//     static void CheckEvent(const Row&, const OrderEvent&, const OrderSnapshot& expected);
//   };
//
// Stored aggregates were created at kCreatedAt and last changed at
// kUpdatedAt; commands run at kNow, which an allowed change writes as
// updated_at. Statuses are named with ToString() and errors with Code(), found
// by argument-dependent lookup in the aggregate's domain.
//
// Header-only; call only from a Catch2 test.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "support/aggregate_checks.hpp"

namespace logistics::testing {

// When the tables' stored aggregates were created and last changed, and when
// their commands run.
inline const common::Timestamp kCreatedAt =
    common::FromUnixMillis(1'795'599'000'123);  // 2026-11-25T09:30:00.123Z
inline const common::Timestamp kUpdatedAt = kCreatedAt + std::chrono::minutes(5);
inline const common::Timestamp kNow = kCreatedAt + std::chrono::hours(1);

// One command of a state machine: its id in the table's rows, its name for
// messages, the event it records when it changes the aggregate, and how a
// test runs it (always with the same arguments, at kNow).
template <typename Command, typename Aggregate, typename Rejection, typename EventType>
struct CommandSpec {
  using Id = Command;

  Command command;
  const char* name;
  EventType event;
  common::Result<void, Rejection> (*run)(Aggregate&);
};

// The spec of `command` among `commands`; fails the test if it has none.
template <typename Spec>
const Spec& SpecOf(const std::vector<Spec>& commands, typename Spec::Id command) {
  for (const Spec& spec : commands) {
    if (spec.command == command) return spec;
  }
  FAIL("no spec for a command of the table");
  return commands.front();
}

// What a row says a command does.
enum class Outcome {
  kChanges,   // allowed: moves the aggregate to `to` and records one event
  kNoChange,  // allowed, but changes nothing and records nothing
  kRejected,  // fails with `error`, changing nothing
};

template <typename Status, typename Error>
struct Verdict {
  Outcome outcome;
  Status to;    // for kChanges
  Error error;  // for kRejected
};

// Calls `check(command_id, rows)` for every status among `statuses` and every
// command among `commands`, with the rows of `table` that start in that status
// and run that command (maybe none), and both names captured for messages.
template <typename Row, typename Statuses, typename Spec, typename Check>
void ForEveryStatusAndCommand(const std::vector<Row>& table, const Statuses& statuses,
                              const std::vector<Spec>& commands, Check check) {
  for (const auto status : statuses) {
    for (const Spec& command : commands) {
      CAPTURE(ToString(status), command.name);
      std::vector<Row> rows;
      for (const Row& row : table) {
        if (row.from == status && row.command == command.command) rows.push_back(row);
      }
      check(command.command, rows);
    }
  }
}

// Runs the command of `row` on the aggregate it stores and checks what the
// row's verdict says: a change to the new status at the next version and kNow
// (plus what Table::AlsoChanged adds), recorded as exactly one event of the
// command's type carrying the new snapshot; or nothing changed and nothing
// recorded, with the command allowed or rejected with the verdict's error.
template <typename Table>
void CheckTransitionRow(const typename Table::Row& row) {
  auto aggregate = Table::Stored(row);
  const auto before = aggregate.snapshot();
  const auto& command = Table::CommandOf(row);
  const auto verdict = Table::VerdictOf(row);
  const auto result = command.run(aggregate);

  switch (verdict.outcome) {
    case Outcome::kChanges: {
      INFO("allowed, to " << ToString(verdict.to));
      const auto event = TheOnlyEvent(aggregate, result);
      auto expected = before;
      expected.status = verdict.to;
      expected.version = before.version + 1;
      expected.updated_at = kNow;
      Table::AlsoChanged(row, expected);
      CHECK(aggregate.snapshot() == expected);
      CHECK(event.type == command.event);
      Table::CheckEvent(row, event, expected);
      return;
    }
    case Outcome::kNoChange: {
      INFO("allowed, changing nothing");
      REQUIRE(result.has_value());
      CheckUnchanged(aggregate, before);
      return;
    }
    case Outcome::kRejected: {
      INFO("rejected with " << Code(verdict.error));
      CheckRejected(aggregate, before, result, verdict.error);
      return;
    }
  }
  FAIL("unknown outcome");
}

}  // namespace logistics::testing
