// CheckStorageFailsOnce: the Catch2 check of what every in-memory repository
// and unit of work in support/fakes/ promises about failures on request (a
// FailNextRead or FailNextSave fails that one call with a PortError carrying
// the message, and the call after it succeeds), written once for all the
// services' fakes.
//
// Header-only; call only from a Catch2 test (the REQUIREs end it).
#pragma once

#include <catch2/catch.hpp>
#include <utility>
#include <variant>

#include "logistics/common/port_error.hpp"

namespace logistics::testing {

// On a fresh `Repository` and a `UnitOfWork` over it: a Save of `aggregate`
// after FailNextSave("disk full") fails with that message, storing nothing
// and keeping no event, and the next Save stores it, two calls in all; a
// `read(repository)` after FailNextRead("locked") fails with that message and
// the next read succeeds, two reads in all. Returns what that read found.
template <typename Repository, typename UnitOfWork, typename Aggregate, typename Read>
auto CheckStorageFailsOnce(Aggregate aggregate, Read read) {
  Repository repository;
  UnitOfWork unit_of_work(repository);
  const auto events = aggregate.TakeEvents();

  unit_of_work.FailNextSave("disk full");
  auto failed_save = unit_of_work.Save(aggregate, events);
  REQUIRE_FALSE(failed_save.has_value());
  CHECK(std::get<common::PortError>(failed_save.error()).message == "disk full");
  CHECK(repository.size() == 0);
  CHECK(unit_of_work.saved_events.empty());
  CHECK(unit_of_work.Save(aggregate, events).has_value());
  CHECK(unit_of_work.save_calls() == 2);

  repository.FailNextRead("locked");
  auto failed_read = read(repository);
  REQUIRE_FALSE(failed_read.has_value());
  CHECK(std::get<common::PortError>(failed_read.error()).message == "locked");
  auto found = read(repository);
  REQUIRE(found.has_value());
  CHECK(repository.reads() == 2);
  return std::move(*found);
}

}  // namespace logistics::testing
