#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/writer.hpp"

using logistics::messaging::JobKind;
using logistics::messaging::SavepointOutcome;
using logistics::messaging::WriteJob;
using logistics::messaging::Writer;
using logistics::messaging::WriteStatus;
using logistics::sqlite::Database;
using logistics::testing::ScratchDir;

namespace {

Database OpenWithTable(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("w.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(x INTEGER UNIQUE)"));
  return std::move(*db);
}

// The rows in t, read through a connection of its own; nullopt if that fails.
// Asserts nothing, so that writer jobs and completions, which run on the
// writer's thread, can call it: Catch2 is not thread-safe, so only the test's
// own thread asserts.
std::optional<std::int64_t> ReadCount(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("w.db"));
  if (!db) return std::nullopt;
  auto select = db->Prepare("SELECT count(*) FROM t");
  if (!select) return std::nullopt;
  auto row = (*select)->Step();
  if (!row || !*row) return std::nullopt;
  return (*select)->ColumnInt64(0);
}

std::int64_t Count(const ScratchDir& dir) {
  const auto count = ReadCount(dir);
  REQUIRE(count);
  return *count;
}

WriteJob Insert(int x, std::promise<WriteStatus>& done) {
  return WriteJob{[x](Database& db) {
                    auto insert = db.Prepare("INSERT INTO t(x) VALUES(?)");
                    (*insert)->Bind(1, std::int64_t{x});
                    return (*insert)->Run() ? SavepointOutcome::kKeep : SavepointOutcome::kRollBack;
                  },
                  [&done](WriteStatus status) { done.set_value(status); }};
}

// Default settings but for how long bookkeeping alone waits for changes.
logistics::messaging::WriterSettings Lingering(std::chrono::microseconds linger) {
  logistics::messaging::WriterSettings settings;
  settings.bookkeeping_linger = linger;
  return settings;
}

// A bookkeeping job that changes nothing and reports how it ended.
WriteJob Bookkeeping(std::promise<WriteStatus>& done) {
  return WriteJob{[](Database&) { return SavepointOutcome::kKeep; },
                  [&done](WriteStatus status) { done.set_value(status); }, JobKind::kBookkeeping};
}

}  // namespace

TEST_CASE("a job that rolls back its savepoint leaves the rest of its batch committed",
          "[messaging][writer]") {
  ScratchDir dir;
  std::atomic<int> commits{0};
  Writer writer(OpenWithTable(dir), {}, [&](Database&) { ++commits; });
  // Queue before starting, so all three land in one batch.
  std::promise<WriteStatus> first, duplicate, third;
  REQUIRE(writer.Submit(Insert(1, first)));
  REQUIRE(writer.Submit(Insert(1, duplicate)));  // violates UNIQUE: rolls back alone
  REQUIRE(writer.Submit(Insert(3, third)));
  writer.Start();
  CHECK(first.get_future().get() == WriteStatus::kCommitted);
  CHECK(duplicate.get_future().get() == WriteStatus::kRolledBack);
  CHECK(third.get_future().get() == WriteStatus::kCommitted);
  writer.Stop();
  CHECK(Count(dir) == 2);
  CHECK(commits == 1);  // one transaction, one fsync, for the three jobs
}

TEST_CASE("completions run only after the batch is durable", "[messaging][writer]") {
  ScratchDir dir;
  Writer writer(OpenWithTable(dir), {}, {});
  writer.Start();
  std::promise<std::optional<std::int64_t>> seen_by_reader;
  REQUIRE(writer.Submit(WriteJob{[](Database& db) {
                                   return db.Execute("INSERT INTO t VALUES(42)")
                                              ? SavepointOutcome::kKeep
                                              : SavepointOutcome::kRollBack;
                                 },
                                 [&](WriteStatus) { seen_by_reader.set_value(ReadCount(dir)); }}));
  CHECK(seen_by_reader.get_future().get() == 1);  // another connection already sees the row
  writer.Stop();
}

TEST_CASE("a job that throws fails alone and the writer keeps going", "[messaging][writer]") {
  ScratchDir dir;
  Writer writer(OpenWithTable(dir), {}, {});
  std::promise<WriteStatus> thrower, after;
  REQUIRE(writer.Submit(WriteJob{[](Database& db) -> SavepointOutcome {
                                   (void)db.Execute("INSERT INTO t VALUES(5)");
                                   throw std::runtime_error("boom");
                                 },
                                 [&](WriteStatus s) { thrower.set_value(s); }}));
  std::promise<WriteStatus> unused;
  REQUIRE(writer.Submit(Insert(6, after)));
  writer.Start();
  CHECK(thrower.get_future().get() == WriteStatus::kFailed);
  CHECK(after.get_future().get() == WriteStatus::kCommitted);
  writer.Stop();
  CHECK(Count(dir) == 1);  // the thrower's insert was rolled back
}

TEST_CASE("a stopped writer refuses new jobs but finishes the queued ones", "[messaging][writer]") {
  ScratchDir dir;
  Writer writer(OpenWithTable(dir), {}, {});
  std::promise<WriteStatus> queued;
  REQUIRE(writer.Submit(Insert(1, queued)));
  writer.Start();
  writer.Stop();
  CHECK(queued.get_future().get() == WriteStatus::kCommitted);
  std::promise<WriteStatus> late;
  CHECK_FALSE(writer.Submit(Insert(2, late)));
}

TEST_CASE("batches never exceed the configured size", "[messaging][writer]") {
  ScratchDir dir;
  std::atomic<int> commits{0};
  Writer writer(OpenWithTable(dir), {/*max_batch=*/4, /*max_queue=*/100}, [&](Database&) { ++commits; });
  std::vector<std::promise<WriteStatus>> done(10);
  for (int i = 0; i < 10; ++i) REQUIRE(writer.Submit(Insert(i, done[i])));
  writer.Start();
  for (auto& d : done) CHECK(d.get_future().get() == WriteStatus::kCommitted);
  writer.Stop();
  CHECK(commits == 3);  // 4 + 4 + 2
}

TEST_CASE("changes commit with synchronous FULL and batches of bookkeeping alone without an fsync",
          "[messaging][writer]") {
  ScratchDir dir;
  Writer writer(OpenWithTable(dir), {/*max_batch=*/1, /*max_queue=*/100}, {});
  // Runs on the writer's thread, so it records what it saw (-1: could not
  // read it) and the test's thread asserts.
  auto synchronous_seen = [](std::promise<std::int64_t>& seen) {
    return [&seen](Database& db) {
      std::int64_t value = -1;
      if (auto pragma = db.Prepare("PRAGMA synchronous")) {
        if (auto row = (*pragma)->Step(); row && *row) value = (*pragma)->ColumnInt64(0);
      }
      seen.set_value(value);
      return SavepointOutcome::kKeep;
    };
  };
  std::promise<std::int64_t> change, bookkeeping, change_after;
  REQUIRE(writer.Submit(WriteJob{synchronous_seen(change), {}, JobKind::kChange}));
  REQUIRE(writer.Submit(WriteJob{synchronous_seen(bookkeeping), {}, JobKind::kBookkeeping}));
  REQUIRE(writer.Submit(WriteJob{synchronous_seen(change_after), {}, JobKind::kChange}));
  writer.Start();
  CHECK(change.get_future().get() == 2);        // FULL
  CHECK(bookkeeping.get_future().get() == 1);   // NORMAL
  CHECK(change_after.get_future().get() == 2);  // FULL again
  writer.Stop();
}

TEST_CASE("bookkeeping alone waits for the next change and commits with it", "[messaging][writer]") {
  ScratchDir dir;
  std::atomic<int> commits{0};
  // The linger is far longer than the test.
  Writer writer(OpenWithTable(dir), Lingering(std::chrono::seconds(30)), [&](Database&) { ++commits; });
  writer.Start();
  std::promise<WriteStatus> mark, change;
  REQUIRE(writer.Submit(Bookkeeping(mark)));
  REQUIRE(writer.Submit(Insert(1, change)));
  CHECK(change.get_future().get() == WriteStatus::kCommitted);
  CHECK(mark.get_future().get() == WriteStatus::kCommitted);
  CHECK(commits == 1);
  const auto stats = writer.Stats();
  CHECK(stats.durable_commits == 1);
  CHECK(stats.bookkeeping_commits == 0);
  CHECK(stats.changes_committed == 1);
  writer.Stop();
}

TEST_CASE("bookkeeping alone commits on its own once the linger ends", "[messaging][writer]") {
  ScratchDir dir;
  Writer writer(OpenWithTable(dir), Lingering(std::chrono::milliseconds(20)), {});
  writer.Start();
  std::promise<WriteStatus> mark;
  REQUIRE(writer.Submit(Bookkeeping(mark)));
  CHECK(mark.get_future().get() == WriteStatus::kCommitted);
  CHECK(writer.Stats().bookkeeping_commits == 1);
  writer.Stop();
}

TEST_CASE("waiting for an idle writer ends a bookkeeping linger at once", "[messaging][writer]") {
  ScratchDir dir;
  Writer writer(OpenWithTable(dir), Lingering(std::chrono::hours(1)), {});
  writer.Start();
  std::promise<WriteStatus> mark;
  REQUIRE(writer.Submit(Bookkeeping(mark)));
  // Without the wake-up this would wait out its whole timeout and fail.
  CHECK(writer.WaitIdle(std::chrono::seconds(60)));
  auto ended = mark.get_future();
  REQUIRE(ended.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(ended.get() == WriteStatus::kCommitted);
  writer.Stop();
}
