// Housekeeping: registered tasks run on one thread on their interval, a task
// with more due comes back soon, and Stop ends the schedule.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/housekeeping.hpp"
#include "logistics/messaging/writer.hpp"
#include "support/harness/eventually.hpp"

using logistics::messaging::CleanUpThroughWriter;
using logistics::messaging::Housekeeping;
using logistics::messaging::Writer;
using logistics::testing::Eventually;
using logistics::testing::ScratchDir;
using namespace std::chrono_literals;

TEST_CASE("housekeeping runs each task on its own interval, only while started",
          "[messaging][housekeeping]") {
  Housekeeping housekeeping;
  std::atomic<int> fast{0};
  std::atomic<int> slow{0};
  housekeeping.Add({"fast", 20ms, [&] {
                      ++fast;
                      return false;
                    }});
  housekeeping.Add({"slow", 1h, [&] {
                      ++slow;
                      return false;
                    }});
  CHECK_FALSE(housekeeping.Running());
  housekeeping.Start();
  CHECK(housekeeping.Running());
  REQUIRE(Eventually([&] { return fast >= 3; }));
  CHECK(slow == 0);  // its first run is an interval after the start
  housekeeping.Stop();
  CHECK_FALSE(housekeeping.Running());
  const int after_stop = fast;
  // Stopped is stopped: nothing runs however long we look.
  CHECK_FALSE(Eventually([&] { return fast > after_stop; }, 100ms));
}

TEST_CASE("a task with more due runs again soon instead of after its interval",
          "[messaging][housekeeping]") {
  Housekeeping housekeeping(1ms);
  std::atomic<int> batches{0};
  housekeeping.Add({"backlog", 20ms, [&] { return ++batches < 5; }});
  housekeeping.Start();
  // Five batches: the first after one interval, the next four 1 ms apart.
  REQUIRE(Eventually([&] { return batches >= 5; }, 2s));
}

TEST_CASE("a clean-up through the writer deletes one batch per run and reports a full batch",
          "[messaging][housekeeping]") {
  ScratchDir dir;
  auto db = logistics::sqlite::Database::Open(dir.File("h.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE expired(x INTEGER);"
                      "INSERT INTO expired VALUES (1), (2), (3), (4), (5);"));
  Writer writer(std::move(*db), {}, {});
  writer.Start();
  auto clean = CleanUpThroughWriter(writer, 2, [](logistics::sqlite::Database& db, std::int64_t batch)
                                                   -> std::optional<std::int64_t> {
    if (!db.Execute("DELETE FROM expired WHERE rowid IN (SELECT rowid FROM expired LIMIT " +
                    std::to_string(batch) + ")")) {
      return std::nullopt;
    }
    return db.Changes();
  });
  CHECK(clean());        // 2 deleted: a full batch, more due
  CHECK(clean());        // 2 more
  CHECK_FALSE(clean());  // the last one
  CHECK_FALSE(clean());  // nothing left
  writer.Stop();
  CHECK_FALSE(clean());  // a stopped writer takes nothing: nothing more now
}
