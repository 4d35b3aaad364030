// The relay lease: of several instances on one database one holds it, a
// survivor takes it over when the holder hands it back, expires or is gone,
// and a relay that lost it publishes nothing more and records nothing under
// its old epoch (the fence).
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "infrastructure/messaging/relay_rig.hpp"
#include "infrastructure/scratch_dir.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/messaging/lease_holder.hpp"
#include "logistics/messaging/relay_lease.hpp"
#include "logistics/messaging/sqlite_relay_lease.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"

using logistics::common::FromUnixMillis;
using logistics::common::SystemClock;
using logistics::messaging::JudgeLease;
using logistics::messaging::LeaseClaim;
using logistics::messaging::LeaseRow;
using logistics::messaging::RelayLease;
using logistics::messaging::RelayLeaseSettings;
using logistics::messaging::SqliteRelayLease;
using logistics::testing::Eventually;
using logistics::testing::ScratchDir;
using namespace std::chrono_literals;

namespace {

// A holder on another host: never "gone" to this one, so only expiry frees it.
constexpr const char* kRemoteHolder = "another-host/1/1";

void CreateLeaseTable(const std::filesystem::path& file) {
  auto db = logistics::sqlite::Database::Open(file);
  REQUIRE(db);
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "relay_lease", SqliteRelayLease::Migrations()));
}

// Writes the lease row from a connection of the test's own, as another
// instance would.
void WriteLease(const std::filesystem::path& file, const LeaseRow& row) {
  auto db = logistics::sqlite::Database::Open(file);
  REQUIRE(db);
  REQUIRE(SqliteRelayLease(*db).Write(row));
}

LeaseRow ReadLease(const std::filesystem::path& file) {
  auto db = logistics::sqlite::Database::Open(file);
  REQUIRE(db);
  auto row = SqliteRelayLease(*db).Read();
  REQUIRE(row);
  return *row;
}

std::unique_ptr<RelayLease> OpenLease(const std::filesystem::path& file, const SystemClock& clock,
                                      const std::string& holder,
                                      std::chrono::milliseconds duration = 400ms) {
  auto db = logistics::sqlite::Database::Open(file, {logistics::sqlite::OpenMode::kReadWriteCreate,
                                                     duration / 4});
  REQUIRE(db);
  return std::make_unique<RelayLease>(std::move(*db), clock, RelayLeaseSettings{duration, holder});
}

}  // namespace

TEST_CASE("the lease is renewed by its holder, taken when free, expired or gone, else waited for",
          "[messaging][lease]") {
  const auto now = FromUnixMillis(1'000'000);
  struct Row {
    const char* what;
    LeaseRow row;
    bool holder_gone;
    LeaseClaim expected;
  };
  const Row rows[] = {
      {"never held", {"", 0, FromUnixMillis(0)}, false, LeaseClaim::kTakeOver},
      {"ours and running", {"me", 4, now + 1s}, false, LeaseClaim::kRenew},
      {"ours and expired (nobody took it since)", {"me", 4, now - 1s}, false, LeaseClaim::kRenew},
      {"another's and running", {"other", 4, now + 1s}, false, LeaseClaim::kWait},
      {"another's, expiring exactly now", {"other", 4, now}, false, LeaseClaim::kTakeOver},
      {"another's and expired", {"other", 4, now - 1ms}, false, LeaseClaim::kTakeOver},
      {"another's, running, but its process is gone", {"other", 4, now + 1s}, true,
       LeaseClaim::kTakeOver},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    CHECK(JudgeLease(row.row, "me", now, row.holder_gone) == row.expected);
  }
}

TEST_CASE("a lease holder names this process, and a holder that no longer runs is gone",
          "[messaging][lease]") {
  const std::string me = logistics::messaging::ThisProcessAsLeaseHolder();
  CHECK_FALSE(logistics::messaging::LeaseHolderIsGone(me));
  // The same pid with another start time: a pid reused after a crash.
  CHECK(logistics::messaging::LeaseHolderIsGone(me.substr(0, me.rfind('/')) + "/1"));
  // Another host's process is never judged from here.
  CHECK_FALSE(logistics::messaging::LeaseHolderIsGone(kRemoteHolder));
  CHECK_FALSE(logistics::messaging::LeaseHolderIsGone("garbage"));
}

TEST_CASE("of two instances one holds the lease, and the other takes it over when it is handed back",
          "[messaging][lease]") {
  ScratchDir dir;
  const auto file = dir.File("lease.db");
  CreateLeaseTable(file);
  SystemClock clock;
  // Both "processes" are this one: name them apart with a remote-looking host
  // so neither takes the other for gone.
  auto first = OpenLease(file, clock, "host-a/1/1");
  auto second = OpenLease(file, clock, "host-b/2/2");
  std::atomic<int> first_acquired{0};
  std::atomic<int> second_acquired{0};
  first->Start([&](std::int64_t) { ++first_acquired; }, [] {});
  REQUIRE(Eventually([&] { return first->HeldEpoch().has_value(); }, 2s));
  second->Start([&](std::int64_t) { ++second_acquired; }, [] {});
  // Renewed again and again, never taken while the holder renews.
  CHECK_FALSE(Eventually([&] { return second->HeldEpoch().has_value(); }, 1s));
  const std::int64_t first_epoch = *first->HeldEpoch();
  CHECK(first->Figures().acquisitions == 1);

  first->Stop(true);
  CHECK_FALSE(first->HeldEpoch());
  // Handed back: taken within a try interval (duration / 6), not a duration.
  const auto handed_back = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return second->HeldEpoch().has_value(); }, 2s));
  CHECK(std::chrono::steady_clock::now() - handed_back < 400ms);
  CHECK(*second->HeldEpoch() == first_epoch + 1);
  CHECK(second_acquired == 1);
  CHECK(ReadLease(file).holder == "host-b/2/2");
}

TEST_CASE("a holder that stops renewing is replaced only after its lease expires, with a higher epoch",
          "[messaging][lease]") {
  ScratchDir dir;
  const auto file = dir.File("lease.db");
  CreateLeaseTable(file);
  SystemClock clock;
  // A live holder elsewhere that renewed just now and then went quiet.
  const auto renewed = clock.Now();
  WriteLease(file, LeaseRow{kRemoteHolder, 7, renewed + 600ms});
  auto contender = OpenLease(file, clock, "host-b/2/2");
  contender->Start([](std::int64_t) {}, [] {});
  REQUIRE(Eventually([&] { return contender->HeldEpoch().has_value(); }, 3s));
  CHECK(clock.Now() >= renewed + 600ms);
  CHECK(*contender->HeldEpoch() == 8);
}

TEST_CASE("a holder whose process is gone is replaced at once", "[messaging][lease]") {
  ScratchDir dir;
  const auto file = dir.File("lease.db");
  CreateLeaseTable(file);
  SystemClock clock;
  const std::string me = logistics::messaging::ThisProcessAsLeaseHolder();
  const std::string crashed = me.substr(0, me.rfind('/')) + "/1";  // this host, not running
  WriteLease(file, LeaseRow{crashed, 3, clock.Now() + 1h});
  auto survivor = OpenLease(file, clock, me);
  survivor->Start([](std::int64_t) {}, [] {});
  REQUIRE(Eventually([&] { return survivor->HeldEpoch().has_value(); }, 2s));
  CHECK(*survivor->HeldEpoch() == 4);
}

TEST_CASE("a holder that cannot renew stops considering itself the holder before the lease expires",
          "[messaging][lease]") {
  ScratchDir dir;
  const auto file = dir.File("lease.db");
  CreateLeaseTable(file);
  SystemClock clock;
  auto holder = OpenLease(file, clock, "host-a/1/1");
  std::atomic<int> lost{0};
  holder->Start([](std::int64_t) {}, [&] { ++lost; });
  REQUIRE(Eventually([&] { return holder->HeldEpoch().has_value(); }, 2s));
  // Another connection holds the write lock: renewals fail (busy).
  auto blocker = logistics::sqlite::Database::Open(file);
  REQUIRE(blocker);
  REQUIRE(blocker->BeginImmediate());
  const auto blocked = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return !holder->HeldEpoch().has_value(); }, 2s));
  // Gone within 3/4 of the 400 ms duration after its last renewal began: it
  // stops before any other instance may take over.
  CHECK(std::chrono::steady_clock::now() - blocked < 400ms);
  REQUIRE(Eventually([&] { return lost == 1; }, 1s));
  CHECK(ReadLease(file).expires_at > clock.Now() - 400ms);
  blocker->Rollback();
  // Renewed again under the same epoch: nobody held it meanwhile.
  REQUIRE(Eventually([&] { return holder->HeldEpoch().has_value(); }, 2s));
  CHECK(*holder->HeldEpoch() == ReadLease(file).epoch);
}

namespace {

// The pid of the nats-server whose command line names `store`: ours.
pid_t ServerPid(const std::filesystem::path& store) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (text.find("nats-server") != std::string::npos && text.find(store.string()) != std::string::npos) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return 0;
}

}  // namespace

SCENARIO("a relay whose lease moved to another instance while its events were in flight publishes "
         "nothing more and cannot mark them under its old epoch",
         "[messaging][lease][relay]") {
  logistics::testing::NatsServer server;
  server.Start();
  ScratchDir dir;
  const auto file = dir.File("relay.db");
  CreateLeaseTable(file);
  SystemClock clock;
  // Before the rig: its relay borrows the lease, so the lease outlives it.
  auto lease = OpenLease(file, clock, "host-a/1/1", 600ms);
  logistics::testing::RelayRig rig(server, dir);
  lease->Start([](std::int64_t) {}, [] {});
  REQUIRE(Eventually([&] { return lease->HeldEpoch().has_value(); }, 2s));
  logistics::messaging::RelaySettings settings;
  settings.lease = lease.get();
  settings.ack_timeout = 10s;
  rig.Start(settings);
  rig.Append({logistics::testing::TestEvent("a", 1)});
  REQUIRE(Eventually([&] { return rig.Unpublished() == 0; }, 5s));
  const std::int64_t epoch = *lease->HeldEpoch();

  GIVEN("the stream answers late, so the next events wait for their PubAcks") {
    const pid_t nats = ServerPid(server.store_dir());
    REQUIRE(nats > 0);
    REQUIRE(::kill(nats, SIGSTOP) == 0);
    rig.Append({logistics::testing::TestEvent("a", 2), logistics::testing::TestEvent("a", 3)});
    REQUIRE(Eventually([&] { return rig.relay().Stats().in_flight >= 1; }, 5s));

    WHEN("another instance takes the lease over meanwhile, and then the PubAcks come") {
      WriteLease(file, LeaseRow{kRemoteHolder, epoch + 1, clock.Now() + 1h});
      REQUIRE(Eventually([&] { return !lease->HeldEpoch().has_value(); }, 2s));
      REQUIRE(::kill(nats, SIGCONT) == 0);

      THEN("the marks of the old epoch roll back and nothing new is published") {
        REQUIRE(Eventually([&] { return rig.relay().Stats().fenced_writes == 1; }, 12s));
        CHECK(rig.Unpublished() == 2);  // the new holder marks them (the stream drops them)
        CHECK_FALSE(rig.relay().Stats().publishing);
        rig.Append({logistics::testing::TestEvent("a", 4)});
        logistics::testing::NatsClient client(server.url());
        CHECK_FALSE(Eventually(
            [&] { return client.StreamMessageCount(logistics::testing::kRelayStream) > 3; },
            500ms));
        AND_WHEN("the lease comes back to it") {
          WriteLease(file, LeaseRow{kRemoteHolder, epoch + 1, clock.Now()});
          THEN("it publishes, under a new epoch, and marks everything") {
            REQUIRE(Eventually([&] { return rig.Unpublished() == 0; }, 5s));
            CHECK(*lease->HeldEpoch() == epoch + 2);
            CHECK(rig.relay().Stats().publishing);
          }
        }
      }
    }
    if (::kill(nats, 0) == 0) ::kill(nats, SIGCONT);
  }
}
