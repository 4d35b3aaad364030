// Catch2 checks of what one command did to an event-sourced aggregate (an
// Order, a Payment): that it was rejected and changed nothing, that it was
// allowed and recorded exactly one event, or that it treated an optional
// reason as both services must.
//
// They work on any aggregate with snapshot() (a value with ==) and
// TakeEvents(), whose commands return a Result whose error has an `error`
// code that the aggregate's domain names with Code() (found by argument-
// dependent lookup). Failures are reported at the line in this file; CAPTURE
// or INFO the row before calling, so a failure says which one it was.
//
// Header-only; call only from a Catch2 test (the REQUIREs end it).
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "support/text_rows.hpp"

namespace logistics::testing {

// `aggregate` is still `before` and has recorded no event.
template <typename Aggregate, typename Snapshot>
void CheckUnchanged(Aggregate& aggregate, const Snapshot& before) {
  CHECK(aggregate.snapshot() == before);
  CHECK(aggregate.TakeEvents().empty());
}

// The command that gave `result` was rejected with `error` and left
// `aggregate` as `before`, recording no event.
template <typename Aggregate, typename Snapshot, typename Result, typename Error>
void CheckRejected(Aggregate& aggregate, const Snapshot& before, const Result& result,
                   Error error) {
  REQUIRE_FALSE(result.has_value());
  CHECK(Code(result.error().error) == Code(error));
  CheckUnchanged(aggregate, before);
}

// The command that gave `result` was allowed and recorded exactly one event:
// takes it from `aggregate` and returns it.
template <typename Aggregate, typename Result>
auto TheOnlyEvent(Aggregate& aggregate, const Result& result) {
  REQUIRE(result.has_value());
  auto events = aggregate.TakeEvents();
  REQUIRE(events.size() == 1);
  return events.front();
}

// Runs `command(aggregate, row.text)` for a command taking an optional reason
// of at most 500 characters (cancel an order, refund a payment) and checks
// what `row` (one of OptionalTextRows(500, ...)) expects: an accepted reason is
// kept in the snapshot's `kept_reason` and carried by the one event recorded;
// a longer one is rejected with `too_long`, saying so, and changes nothing.
template <typename Aggregate, typename Command, typename Snapshot, typename Error>
void CheckOptionalReasonRow(const OptionalTextRow& row, Aggregate& aggregate, Command command,
                            std::optional<std::string> Snapshot::*kept_reason, Error too_long) {
  const Snapshot before = aggregate.snapshot();
  const auto result = command(aggregate, row.text);
  if (row.accepted) {
    const auto event = TheOnlyEvent(aggregate, result);
    CHECK(aggregate.snapshot().*kept_reason == row.text);
    CHECK(event.reason == row.text);
  } else {
    CheckRejected(aggregate, before, result, too_long);
    CHECK(result.error().message == "reason must be at most 500 characters (got 501)");
  }
}

}  // namespace logistics::testing
