// Several instances of orders and of payments, each pair on one database:
// the queue groups split the commands, the durable consumers are shared, and
// exactly one relay per database publishes, chosen by the fenced lease.
// SIGKILL of the lease holder, a holder paused past its lease, and an
// instance killed with commands in flight lose nothing, double nothing and
// keep every aggregate's events in order.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/checkout_checks.hpp"
#include "integration/checkout_load.hpp"
#include "logistics/sqlite/database.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Two instances each of orders and payments on one nats-server.
class InstancesSystem {
 public:
  InstancesSystem() : nats_(ServerOptions(dir_.path() / "nats")) {
    nats_.Start();
    client_ = std::make_unique<NatsClient>(nats_.url());
    for (int i = 0; i < 2; ++i) {
      orders_.push_back(Service(LOGISTICS_ORDERS_BIN, "orders", i));
      payments_.push_back(Service(LOGISTICS_PAYMENTS_BIN, "payments", i));
    }
    for (auto& service : orders_) service->Start();
    for (auto& service : payments_) service->Start();
    for (auto& service : orders_) REQUIRE(service->WaitUntilReady());
    for (auto& service : payments_) REQUIRE(service->WaitUntilReady());
  }

  ServiceProcess& orders(int i) { return *orders_[i]; }
  ServiceProcess& payments(int i) { return *payments_[i]; }
  NatsClient& client() { return *client_; }

  // The instance of `service` ("orders") whose pid the lease row names; -1
  // when none of them holds it.
  int LeaseHolder(const std::string& service) {
    auto db = sqlite::Database::Open(dir_.path() / (service + ".db"), {sqlite::OpenMode::kReadOnly});
    if (!db) return -1;
    auto select = db->Prepare("SELECT holder FROM relay_lease WHERE name = 'relay'");
    if (!select) return -1;
    auto row = (*select)->Step();
    if (!row || !*row) return -1;
    const std::string holder = (*select)->ColumnText(0);  // host/pid/start
    const auto first = holder.find('/');
    const auto second = holder.find('/', first + 1);
    const std::string pid = holder.substr(first + 1, second - first - 1);
    auto& instances = service == "orders" ? orders_ : payments_;
    for (int i = 0; i < static_cast<int>(instances.size()); ++i) {
      if (std::to_string(instances[i]->pid()) == pid) return i;
    }
    return -1;
  }

  // Whether a connection holds the database's write lock now.
  bool WriteLocked(const std::string& service) {
    auto db = sqlite::Database::Open(dir_.path() / (service + ".db"),
                                     {sqlite::OpenMode::kReadWriteCreate, 0ms});
    REQUIRE(db);
    auto begun = db->BeginImmediate();
    if (begun) db->Rollback();
    return !begun;
  }

  std::int64_t Unpublished(const std::string& service) {
    auto db = sqlite::Database::Open(dir_.path() / (service + ".db"), {sqlite::OpenMode::kReadOnly});
    REQUIRE(db);
    auto select = db->Prepare("SELECT count(*) FROM outbox WHERE published_at IS NULL");
    REQUIRE(select);
    REQUIRE((*select)->Step());
    return (*select)->ColumnInt64(0);
  }

 private:
  static NatsServerOptions ServerOptions(std::filesystem::path store) {
    NatsServerOptions options;
    options.store_dir = std::move(store);
    return options;
  }
  std::unique_ptr<ServiceProcess> Service(const char* binary, const std::string& name, int i) {
    const auto logs = dir_.path() / (name + "-" + std::to_string(i));
    std::filesystem::create_directories(logs);
    return std::make_unique<ServiceProcess>(
        binary,
        std::vector<std::string>{"--nats-url", nats_.url(), "--db",
                                 (dir_.path() / (name + ".db")).string(), "--log-level", "info"},
        std::map<std::string, std::string>{{"RETRY_INITIAL_MS", "100"}, {"RETRY_MAX_MS", "400"}},
        logs);
  }

  TempDir dir_;
  NatsServer nats_;
  std::unique_ptr<NatsClient> client_;
  std::vector<std::unique_ptr<ServiceProcess>> orders_;
  std::vector<std::unique_ptr<ServiceProcess>> payments_;
};

// The load of the tests below: checkouts from one client thread, each
// command retried with its own Nats-Msg-Id until answered, so the client
// outlives any one instance. Paced (10 a second), so it still runs while a
// test waits for progress after a fault on a fast machine, and bounded in
// count and time well past the tests' own waits on a slow one.
CheckoutLimits InstancesLoad() {
  CheckoutLimits limits;
  limits.max_checkouts = 250;
  limits.max_duration = 100s;
  limits.checkouts_per_second = 10;
  limits.senders = 1;
  return limits;
}

// The invariants after the load: every checkout was answered, every answered
// command has its events, once, in order, and the choreography caught up
// (each confirmed payment's order is PAID once).
void CheckEverythingPublishedOnce(InstancesSystem& system, CheckoutLoad& load) {
  load.StopStarting();
  load.Join();
  const std::vector<Checkout> checkouts = load.Checkouts();
  CheckEveryCheckoutAnswered(checkouts);
  REQUIRE(Eventually([&] {
    return system.Unpublished("orders") == 0 && system.Unpublished("payments") == 0;
  }, 30s));
  // Every confirmed payment's order becomes PAID: the shared durable consumers
  // caught up.
  REQUIRE(Eventually([&] {
    auto types = TypesByAggregate(system.client().ReadStream("ORDERS"));
    for (const auto& checkout : checkouts) {
      if (checkout.confirmed && types[checkout.order_id].size() < 2) return false;  // created, paid
    }
    return true;
  }, 60s));
  const auto orders = system.client().ReadStream("ORDERS");
  const auto payments = system.client().ReadStream("PAYMENTS");
  CheckOnceInOrder("ORDERS", orders);
  CheckOnceInOrder("PAYMENTS", payments);
  CheckAnsweredCommandsHaveEvents(checkouts, orders, payments);
}

std::int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

SCENARIO("a SIGKILL of the lease holder under load hands publishing to the other instance, which "
         "loses and doubles nothing",
         "[instances][integration]") {
  InstancesSystem system;
  CheckoutLoad load(system.client(), "inst-kill", InstancesLoad());
  load.Start();
  REQUIRE(Eventually([&] { return load.Completed() >= 30; }, 30s));
  const int holder = system.LeaseHolder("orders");
  const int payments_holder = system.LeaseHolder("payments");
  REQUIRE(holder >= 0);
  REQUIRE(payments_holder >= 0);

  system.orders(holder).Kill();
  system.payments(payments_holder).Kill();
  const auto killed = Clock::now();
  REQUIRE(Eventually([&] { return system.LeaseHolder("orders") == 1 - holder; }, 10s));
  const auto orders_takeover = MillisSince(killed);
  REQUIRE(Eventually([&] { return system.LeaseHolder("payments") == 1 - payments_holder; }, 10s));
  const auto payments_takeover = MillisSince(killed);
  std::cout << "figure: relay lease takeover after SIGKILL of the holder: orders " << orders_takeover
            << " ms, payments " << payments_takeover << " ms (--relay-lease-ms 3000)\n";
  CHECK(orders_takeover <= 5000);
  CHECK(payments_takeover <= 5000);
  const int before = load.Completed();
  REQUIRE(Eventually([&] { return load.Completed() >= before + 30; }, 30s));
  CheckEverythingPublishedOnce(system, load);
}

SCENARIO("a lease holder paused past its lease is replaced, and after it resumes it publishes and "
         "marks nothing",
         "[instances][integration]") {
  InstancesSystem system;
  CheckoutLoad load(system.client(), "inst-pause", InstancesLoad());
  load.Start();
  REQUIRE(Eventually([&] { return load.Completed() >= 20; }, 30s));
  const int holder = system.LeaseHolder("orders");
  REQUIRE(holder >= 0);

  system.orders(holder).Signal(SIGSTOP);
  const auto paused = Clock::now();
  if (!Eventually([&] { return system.LeaseHolder("orders") == 1 - holder; }, 10s)) {
    // Paused inside a write transaction, it holds SQLite's write lock: every
    // instance's writes, the lease's included, wait for it (README,
    // Deployment). The rest must hold all the same once it resumes.
    REQUIRE(system.WriteLocked("orders"));
    WARN("the paused instance held the database's write lock; nobody could take the lease over");
    system.orders(holder).Signal(SIGCONT);
    CheckEverythingPublishedOnce(system, load);
    return;
  }
  std::cout << "figure: relay lease takeover from a paused (SIGSTOP) holder: " << MillisSince(paused)
            << " ms (--relay-lease-ms 3000)\n";
  // Commands the queue group hands to the paused instance wait for its
  // answer until the client's retry reaches the other one: slower, not stuck.
  const int before = load.Completed();
  REQUIRE(Eventually([&] { return load.Completed() >= before + 5; }, 60s));
  system.orders(holder).Signal(SIGCONT);
  // It notices at its next renewal and stands by.
  REQUIRE(system.orders(holder).WaitForLog("relay lease lost", 5s));
  CHECK(system.LeaseHolder("orders") == 1 - holder);
  const int resumed = load.Completed();
  REQUIRE(Eventually([&] { return load.Completed() >= resumed + 20; }, 30s));
  CheckEverythingPublishedOnce(system, load);
  CHECK(system.orders(holder).Running());
}

SCENARIO("clients whose commands were in flight when an instance died get their answer from the "
         "survivor by retrying with the same Nats-Msg-Id",
         "[instances][integration]") {
  InstancesSystem system;
  constexpr int kCommands = 40;
  std::vector<Reply> first(kCommands);
  std::vector<std::thread> senders;
  auto body = [](int i) {
    return json{{"tracking_number", "FLIGHT-" + std::to_string(i)}, {"customer_name", "Ana"},
                {"origin", "Madrid"}, {"destination", "Lisbon"}}
        .dump();
  };
  for (int i = 0; i < kCommands; ++i) {
    senders.emplace_back([&, i] {
      first[i] = system.client().TryRequest("orders.cmd.create", body(i),
                                            {{"Nats-Msg-Id", "flight-" + std::to_string(i)}}, 3s);
    });
  }
  system.orders(0).Kill();
  for (auto& sender : senders) sender.join();

  std::map<int, std::string> order_ids;
  int retried = 0;
  for (int i = 0; i < kCommands; ++i) {
    Reply reply = first[i];
    for (int attempt = 0; reply.Status() != 200 && attempt < 10; ++attempt) {
      ++retried;
      reply = system.client().TryRequest("orders.cmd.create", body(i),
                                         {{"Nats-Msg-Id", "flight-" + std::to_string(i)}}, 3s);
    }
    INFO("command " << i << ": " << reply.body << reply.error);
    REQUIRE(reply.Status() == 200);
    order_ids[i] = reply.Json()["order_id"];
  }
  std::cout << "figure: commands retried after an instance died with them in flight: " << retried
            << " of " << kCommands << "\n";
  // One order per command, whoever answered, and its one created event.
  REQUIRE(Eventually([&] { return system.client().StreamMessageCount("ORDERS") >= kCommands; }, 20s));
  const auto events = system.client().ReadStream("ORDERS");
  CheckOnceInOrder("ORDERS", events);
  CHECK(events.size() == static_cast<std::size_t>(kCommands));
  const auto types = TypesByAggregate(events);
  for (const auto& [i, order_id] : order_ids) {
    INFO(order_id);
    CHECK(types.count(order_id) == 1);
  }
}

}  // namespace logistics::testing
