// Storage that fails under a running service: a full disk (a real, small
// tmpfs, and SQLite's size limit) and a damaged database. The service stays
// up, says what is wrong with stable codes and in its status, loses and
// doubles nothing, and writes resume by themselves when space returns.
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "integration/orders_system.hpp"
#include "support/corrupt_page.hpp"
#include "support/harness/service_process.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using logistics::testing::ServiceProcess;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

// Creates orders, `parallel` at a time, until one is refused with 503
// STORAGE_FULL (bounded). Returns the tracking numbers acknowledged with 200;
// any other answer fails the test.
std::vector<std::string> CreateUntilFull(OrdersSystem& system, const std::string& prefix,
                                         int limit = 5000, int parallel = 20) {
  std::vector<std::string> created;
  bool full = false;
  for (int first = 0; first < limit && !full; first += parallel) {
    auto replies = system.RequestConcurrently("orders.cmd.create", parallel, [&](int i) {
      return json{{"tracking_number", prefix + std::to_string(first + i)},
                  {"customer_name", "Ana"},
                  {"origin", "Madrid"},
                  {"destination", "Lisbon"}}
          .dump();
    });
    for (int i = 0; i < parallel; ++i) {
      const auto& reply = replies[static_cast<std::size_t>(i)];
      if (reply.Status() == 200) {
        created.push_back(prefix + std::to_string(first + i));
        continue;
      }
      INFO(reply.body);
      REQUIRE(reply.Status() == 503);
      REQUIRE(reply.Json()["error"]["code"] == "STORAGE_FULL");
      CHECK_THAT(reply.headers.at("Nats-Service-Error"), Catch::Contains("disk is full"));
      full = true;
    }
  }
  REQUIRE(full);
  return created;
}

// The stream holds exactly one event per acknowledged create, each once.
void CheckOneEventPerOrder(OrdersSystem& system, const std::vector<std::string>& created) {
  const auto events = system.Events();
  std::multiset<std::string> tracking;
  std::set<std::string> ids;
  for (const auto& message : events) {
    const json event = message.Json();
    CHECK(ids.insert(event["id"].get<std::string>()).second);
    tracking.insert(event["data"]["tracking_number"].get<std::string>());
  }
  CHECK(events.size() == created.size());
  for (const auto& number : created) CHECK(tracking.count(number) == 1);
}

std::string IntegrityCheck(const fs::path& db) {
  auto database = logistics::sqlite::Database::Open(db, {logistics::sqlite::OpenMode::kReadOnly});
  REQUIRE(database);
  auto check = database->Prepare("PRAGMA integrity_check");
  REQUIRE(check);
  REQUIRE((*check)->Step());
  return (*check)->ColumnText(0);
}

// A tmpfs of `size` mounted on a new directory, unmounted when it goes.
class SmallDisk {
 public:
  SmallDisk(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

}  // namespace

SCENARIO("a database at its size limit answers 503 STORAGE_FULL, loses nothing and publishes "
         "nothing twice",
         "[orders][integration][full-disk]") {
  OrdersSystem system;
  system.StartOrders({{"DB_MAX_KIB", "600"}});
  const auto created = CreateUntilFull(system, "FULL-");
  INFO(created.size() << " orders created before the limit");
  REQUIRE(created.size() > 10);

  // The service stays up, says so in its status, and still answers queries.
  // (A later, smaller write may have fitted since: "full" says the last one
  // did not; the count says it happened.)
  const json status = system.Status("orders");
  CHECK(status["storage"]["full_errors"].get<int>() >= 1);
  CHECK(system.Query("get", {{"tracking_number", created.front()}}).Status() == 200);
  REQUIRE(system.WaitForEvents(created.size()));

  // "Flushed" at shutdown means the outbox is really empty.
  REQUIRE(system.orders().Terminate(std::chrono::seconds(30)).Success());
  const std::string unpublished = system.QueryDatabase(
      "orders.db", "SELECT count(*) FROM outbox WHERE published_at IS NULL");
  if (system.orders().Log().find("outbox flushed") != std::string::npos) CHECK(unpublished == "0");
  CHECK(IntegrityCheck(system.dir() / "orders.db") == "ok");

  // With room again, writes go on; every row ends published, each event once.
  system.StartOrders({{"DB_MAX_KIB", "0"}});
  REQUIRE(system.Create("AFTER-FULL").Status() == 200);
  auto all = created;
  all.push_back("AFTER-FULL");
  REQUIRE(Eventually([&] {
    return system.QueryDatabase("orders.db",
                                "SELECT count(*) FROM outbox WHERE published_at IS NULL") == "0";
  }));
  REQUIRE(system.WaitForEvents(all.size()));
  CheckOneEventPerOrder(system, all);
  CHECK(system.Status("orders")["storage"]["full"] == false);
}

SCENARIO("the relay's marks refused by a full database are retried, never re-sent, and shutdown "
         "does not claim a flush it did not make",
         "[orders][integration][full-disk]") {
  OrdersSystem system;
  // The relay publishes nothing until shutdown, so every mark comes when the
  // database is already full.
  system.StartOrders({{"DB_MAX_KIB", "600"}, {"LOGISTICS_FAULT", "hold-relay"}});
  const auto created = CreateUntilFull(system, "MARK-");
  REQUIRE(system.client().StreamMessageCount("ORDERS") == 0);

  REQUIRE(system.orders().Terminate(std::chrono::seconds(30)).Success());
  REQUIRE(system.WaitForEvents(created.size()));
  const std::string unpublished = system.QueryDatabase(
      "orders.db", "SELECT count(*) FROM outbox WHERE published_at IS NULL");
  const std::string log = system.orders().Log();
  INFO("unpublished rows after shutdown: " << unpublished);
  if (unpublished != "0") {
    CHECK_THAT(log, !Catch::Contains("\"outbox flushed\""));
    CHECK_THAT(log, Catch::Contains("could not mark outbox rows published"));
  }

  // After a restart with room, the rows left unmarked go out again and the
  // stream drops them as duplicates: each event once.
  system.StartOrders();
  REQUIRE(Eventually([&] {
    return system.QueryDatabase("orders.db",
                                "SELECT count(*) FROM outbox WHERE published_at IS NULL") == "0";
  }));
  CheckOneEventPerOrder(system, created);
  CHECK(IntegrityCheck(system.dir() / "orders.db") == "ok");
}

SCENARIO("on a real full disk writes resume by themselves once space is freed, and the WAL "
         "shrinks",
         "[orders][integration][full-disk]") {
  OrdersSystem system;
  if (::geteuid() != 0) {
    WARN("not root: cannot mount a small tmpfs; the full-disk test on a real file system is "
         "skipped (the size-limit tests above still run)");
    return;
  }
  SmallDisk disk(system.dir() / "small-disk", "3m");
  REQUIRE(disk.mounted());
  const fs::path db = disk.dir() / "orders.db";
  ServiceProcess orders(LOGISTICS_ORDERS_BIN,
                        {"--nats-url", system.nats().url(), "--db", db.string()}, {}, system.dir());
  orders.Start();
  REQUIRE(orders.WaitUntilReady());
  // Leave about 700 KiB.
  {
    const auto space = fs::space(disk.dir());
    const auto filler_size = space.available > 700 * 1024 ? space.available - 700 * 1024 : 0;
    std::ofstream filler(disk.dir() / "filler", std::ios::binary);
    const std::string block(64 * 1024, 'x');
    for (std::uintmax_t written = 0; written + block.size() <= filler_size; written += block.size()) {
      filler.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  auto created = CreateUntilFull(system, "DISK-");
  REQUIRE(orders.Running());
  CHECK(system.Status("orders")["storage"]["full_errors"].get<int>() >= 1);

  fs::remove(disk.dir() / "filler");
  // No restart: the next command succeeds by itself.
  REQUIRE(Eventually([&] { return system.Create("DISK-AFTER").Status() == 200; },
                     std::chrono::seconds(20), std::chrono::milliseconds(200)));
  created.push_back("DISK-AFTER");
  CHECK(system.Status("orders")["storage"]["full"] == false);
  REQUIRE(Eventually([&] {
    return system.QueryDatabase(db.string(), "SELECT count(*) FROM outbox WHERE published_at IS NULL") ==
           "0";
  }));
  REQUIRE(system.WaitForEvents(created.size()));
  CheckOneEventPerOrder(system, created);
  // The WAL was truncated when space ran out: it is no bigger than what the
  // few commits since then wrote.
  const fs::path wal = db.string() + "-wal";
  if (fs::exists(wal)) {
    INFO(orders.Log());
    CHECK(fs::file_size(wal) < 512 * 1024);
  }
  REQUIRE(orders.Terminate(std::chrono::seconds(30)).Success());
  CHECK(IntegrityCheck(db) == "ok");
}

SCENARIO("marks the full disk refused are written once space returns, while the service runs, "
         "and no event goes out twice",
         "[orders][integration][full-disk]") {
  OrdersSystem system;
  if (::geteuid() != 0) {
    WARN("not root: cannot mount a small tmpfs; the test of marks on a full disk is skipped");
    return;
  }
  SmallDisk disk(system.dir() / "small-disk", "3m");
  REQUIRE(disk.mounted());
  const fs::path db = disk.dir() / "orders.db";
  // A stream that refuses every event (a limit below any event's size) while
  // the orders are created: their rows wait in the outbox.
  system.PutStream("ORDERS", "orders.events.>", 64);
  ServiceProcess orders(LOGISTICS_ORDERS_BIN,
                        {"--nats-url", system.nats().url(), "--db", db.string()}, {}, system.dir());
  orders.Start();
  REQUIRE(orders.WaitUntilReady());
  std::vector<std::string> created;
  for (int i = 0; i < 20; ++i) {
    created.push_back("MARKS-" + std::to_string(i));
    REQUIRE(system.Create(created.back()).Status() == 200);
  }
  REQUIRE(Eventually([&] { return system.Status("orders")["relay"]["failed_attempts"].get<int>() >= 1; }));

  // The disk fills up; then the stream takes the events, so the PubAcks come
  // back while no mark can be written.
  {
    std::ofstream filler(disk.dir() / "filler", std::ios::binary);
    const std::string block(4096, 'x');
    for (int i = 0; i < 4096 && filler; ++i) filler.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  system.PutStream("ORDERS", "orders.events.>");
  REQUIRE(Eventually([&] { return system.Status("orders")["relay"]["failed_marks"].get<int>() >= 1; },
                     std::chrono::seconds(30), std::chrono::milliseconds(100)));
  REQUIRE(system.WaitForEvents(created.size(), std::chrono::seconds(20)));

  // Space returns: the same process writes the marks it kept (no restart
  // would publish the rows again), and sends nothing twice.
  fs::remove(disk.dir() / "filler");
  REQUIRE(Eventually([&] { return system.Status("orders")["outbox"]["unpublished"] == 0; },
                     std::chrono::seconds(30), std::chrono::milliseconds(100)));
  const json relay = system.Status("orders")["relay"];
  INFO(relay.dump());
  CHECK(relay["unmarked"] == 0);
  REQUIRE(orders.Running());
  CheckOneEventPerOrder(system, created);
  REQUIRE(orders.Terminate(std::chrono::seconds(30)).Success());
  CHECK(IntegrityCheck(db) == "ok");
}

SCENARIO("a consumer whose database is full holds its events without spending deliveries and "
         "applies them once space returns",
         "[payments][integration][full-disk]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments({{"DB_MAX_KIB", "400"}});
  // Fill payments' database with its own projection of orders.
  std::vector<std::string> created;
  REQUIRE(Eventually(
      [&] {
        for (int i = 0; i < 50; ++i) {
          const std::string number = "CONS-" + std::to_string(created.size());
          REQUIRE(system.Create(number).Status() == 200);
          created.push_back(number);
        }
        return system.Status("payments")["storage"]["full"] == true;
      },
      std::chrono::seconds(120), std::chrono::milliseconds(1)));
  REQUIRE(Eventually([&] {
    const json consumer = system.Status("payments")["consumers"]["payments-orders"];
    return consumer["held"].get<int>() >= 1;
  }));
  const json held = system.Status("payments")["consumers"]["payments-orders"];
  CHECK(held["dead_letters"] == 0);
  CHECK_THAT(held["holding"].get<std::string>(), Catch::Contains("disk is full"));

  // Space returns (the limit lifted at a restart): every order reaches the
  // projection once, with no dead letter.
  REQUIRE(system.payments().Terminate(std::chrono::seconds(30)).Success());
  system.StartPayments();
  REQUIRE(Eventually(
      [&] {
        return system.QueryDatabase("payments.db", "SELECT count(*) FROM order_view") ==
               std::to_string(created.size());
      },
      std::chrono::seconds(60)));
  CHECK(system.QueryDatabase("payments.db", "SELECT count(*) FROM dead_letters") == "0");
  CHECK(IntegrityCheck(system.dir() / "payments.db") == "ok");
}

SCENARIO("a damaged page met while running is answered STORAGE_CORRUPT, logged once and shown "
         "in the status",
         "[orders][integration][integrity]") {
  OrdersSystem system;
  system.StartOrders();
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    auto reply = system.Create("DAMAGE-" + std::to_string(i));
    REQUIRE(reply.Status() == 200);
    ids.push_back(reply.Json()["order_id"]);
  }
  REQUIRE(system.orders().Terminate().Success());
  logistics::testing::CorruptMiddlePage(system.dir() / "orders.db", "orders");
  system.StartOrders({{"SKIP_INTEGRITY_CHECK", "true"}});

  int corrupt_replies = 0;
  for (const auto& id : ids) {
    auto reply = system.Query("get", {{"order_id", id}});
    if (reply.Status() == 200) continue;
    INFO(reply.body);
    REQUIRE(reply.Status() == 500);
    CHECK(reply.Json()["error"]["code"] == "STORAGE_CORRUPT");
    ++corrupt_replies;
  }
  CHECK(corrupt_replies > 0);
  const json status = system.Status("orders");
  CHECK(status["storage"]["corrupt"] == true);
  CHECK_FALSE(status["storage"]["corruption"].get<std::string>().empty());
  const std::string log = system.orders().Log();
  const auto first = log.find("the database file is damaged");
  REQUIRE(first != std::string::npos);
  CHECK(log.find("the database file is damaged", first + 1) == std::string::npos);
  CHECK(log.find("orders use case failed") == std::string::npos);
}
