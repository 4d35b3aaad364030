// OrdersSystem: a real nats-server with JetStream and the real orders binary,
// in a temporary directory, for one test. Everything it starts is stopped when
// it goes out of scope, whether the test passed or not.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <functional>
#include <vector>

#include <catch2/catch.hpp>

#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::testing {

class OrdersSystem {
 public:
  OrdersSystem() : OrdersSystem(std::vector<std::string>{}) {}
  // With extra nats-server arguments, e.g. {"-c", "<a configuration file>"}
  // for settings that have no flag (max_payload).
  explicit OrdersSystem(std::vector<std::string> nats_args)
      : nats_(ServerOptions(dir_.path() / "nats", std::move(nats_args))) {
    nats_.Start();
    client_ = std::make_unique<NatsClient>(nats_.url());
  }

  // Starts the orders service and waits until it takes requests.
  void StartOrders(std::map<std::string, std::string> env = {}) {
    env.emplace("RETRY_INITIAL_MS", "100");  // keep redeliveries quick in tests
    env.emplace("RETRY_MAX_MS", "400");
    orders_ = std::make_unique<ServiceProcess>(
        LOGISTICS_ORDERS_BIN,
        std::vector<std::string>{"--nats-url", nats_.url(), "--db", (dir_.path() / "orders.db").string(),
                                 "--log-level", "debug"},
        std::move(env), dir_.path());
    orders_->Start();
    REQUIRE(orders_->WaitUntilReady(std::chrono::seconds(20)));
  }

  // Starts the payments service and waits until it takes requests.
  void StartPayments(std::map<std::string, std::string> env = {}) {
    env.emplace("RETRY_INITIAL_MS", "100");  // keep redeliveries quick in tests
    env.emplace("RETRY_MAX_MS", "400");
    payments_ = std::make_unique<ServiceProcess>(
        LOGISTICS_PAYMENTS_BIN,
        std::vector<std::string>{"--nats-url", nats_.url(), "--db",
                                 (dir_.path() / "payments.db").string(), "--log-level", "debug"},
        std::move(env), dir_.path());
    payments_->Start();
    REQUIRE(payments_->WaitUntilReady(std::chrono::seconds(20)));
  }

  // Starts the notifications service (extra flags such as --smtp-url) and
  // waits until it runs.
  void StartNotifications(std::vector<std::string> flags = {},
                          std::map<std::string, std::string> env = {}) {
    env.emplace("RETRY_INITIAL_MS", "100");
    env.emplace("RETRY_MAX_MS", "400");
    std::vector<std::string> args{"--nats-url", nats_.url(), "--db",
                                  (dir_.path() / "notifications.db").string(), "--log-level",
                                  "debug"};
    args.insert(args.end(), flags.begin(), flags.end());
    notifications_ = std::make_unique<ServiceProcess>(LOGISTICS_NOTIFICATIONS_BIN, std::move(args),
                                                      std::move(env), dir_.path());
    notifications_->Start();
    REQUIRE(notifications_->WaitUntilReady(std::chrono::seconds(20)));
  }
  ServiceProcess& notifications() { return *notifications_; }

  ServiceProcess& orders() { return *orders_; }
  ServiceProcess& payments() { return *payments_; }

  NatsClient::Reply Payments(const std::string& verb, const nlohmann::json& body,
                             std::map<std::string, std::string> headers = {}) {
    const std::string kind = verb == "get" || verb == "list" ? "query" : "cmd";
    return client_->Request("payments." + kind + "." + verb, body.dump(), std::move(headers));
  }

  std::vector<StreamMessage> PaymentEvents() { return client_->ReadStream("PAYMENTS"); }
  NatsServer& nats() { return nats_; }
  NatsClient& client() { return *client_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  NatsClient::Reply Create(const std::string& tracking_number, const std::string& origin = "Madrid",
                           const std::string& destination = "Lisbon",
                           std::map<std::string, std::string> headers = {}) {
    const nlohmann::json body{{"tracking_number", tracking_number},
                              {"customer_name", "Ana"},
                              {"origin", origin},
                              {"destination", destination}};
    return client_->Request("orders.cmd.create", body.dump(), std::move(headers));
  }

  NatsClient::Reply Command(const std::string& verb, const nlohmann::json& body,
                            std::map<std::string, std::string> headers = {}) {
    return client_->Request("orders.cmd." + verb, body.dump(), std::move(headers));
  }

  NatsClient::Reply Query(const std::string& verb, const nlohmann::json& body) {
    return client_->Request("orders.query." + verb, body.dump());
  }

  // Sends `count` requests at once, each from its own thread, so they are all
  // in flight together; returns the replies in request order. The senders
  // assert nothing (Catch2 is not thread-safe): failures are checked here,
  // after they have joined.
  std::vector<NatsClient::Reply> RequestConcurrently(const std::string& subject, int count,
                                                     const std::function<std::string(int)>& body,
                                                     const std::map<std::string, std::string>& headers = {}) {
    std::vector<std::string> bodies;
    for (int i = 0; i < count; ++i) bodies.push_back(body(i));
    std::vector<NatsClient::Reply> replies(count);
    std::vector<std::thread> senders;
    for (int i = 0; i < count; ++i) {
      senders.emplace_back([&, i] {
        replies[i] = client_->TryRequest(subject, bodies[i], headers, std::chrono::seconds(30));
      });
    }
    for (auto& sender : senders) sender.join();
    for (const auto& reply : replies) {
      if (!reply.error.empty()) FAIL(reply.error);
    }
    return replies;
  }

  // The first column of the first row of `sql` on one service's database
  // (opened read-only), as text; "" when there is no row.
  std::string QueryDatabase(const std::string& database, const std::string& sql) {
    auto db = sqlite::Database::Open(dir_.path() / database, {sqlite::OpenMode::kReadOnly});
    REQUIRE(db);
    auto select = db->Prepare(sql);
    REQUIRE(select);
    auto row = (*select)->Step();
    REQUIRE(row);
    return *row ? (*select)->ColumnText(0) : std::string();
  }

  // Runs `sql` (which may change data) on one service's database.
  void ExecuteOnDatabase(const std::string& database, const std::string& sql) {
    auto db = sqlite::Database::Open(dir_.path() / database);
    REQUIRE(db);
    REQUIRE(db->Execute(sql));
  }

  // How many .eml files notifications wrote (its default mail directory).
  std::size_t MailFileCount() const {
    const auto mail = dir_.path() / "mail";
    if (!std::filesystem::exists(mail)) return 0;
    return static_cast<std::size_t>(std::count_if(
        std::filesystem::directory_iterator(mail), {},
        [](const auto& entry) { return entry.path().extension() == ".eml"; }));
  }

  std::vector<StreamMessage> Events() { return client_->ReadStream("ORDERS"); }

  // `<service>.query.status`: the service's figures (outbox, relay, writer,
  // consumers, storage). Fails the test unless the service answers.
  nlohmann::json Status(const std::string& service) {
    auto reply = client_->Request(service + ".query.status", "{}");
    REQUIRE(reply.Status() == 200);
    return reply.Json();
  }

  // Creates `stream` on `subject` as a service would (file storage, a 600 s
  // duplicate window, so the service keeps it as it is), or updates it, with
  // the largest message the stream accepts (-1: the server's limit).
  void PutStream(const std::string& stream, const std::string& subject,
                 std::int32_t max_message_bytes = -1) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char* subjects[] = {subject.c_str()};
    config.Name = stream.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Duplicates = std::int64_t{600} * 1000 * 1000 * 1000;
    config.MaxMsgSize = max_message_bytes;
    jsStreamInfo* info = nullptr;
    const natsStatus s = client_->StreamExists(stream)
                             ? js_UpdateStream(&info, client_->jetstream(), &config, nullptr, nullptr)
                             : js_AddStream(&info, client_->jetstream(), &config, nullptr, nullptr);
    jsStreamInfo_Destroy(info);
    REQUIRE(s == NATS_OK);
  }

  // Waits until the ORDERS stream holds at least `count` messages.
  bool WaitForEvents(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return Eventually([&] { return client_->StreamMessageCount("ORDERS") >= count; }, timeout);
  }

 private:
  static NatsServerOptions ServerOptions(std::filesystem::path store_dir,
                                         std::vector<std::string> extra_args) {
    NatsServerOptions options;
    options.store_dir = std::move(store_dir);
    options.extra_args = std::move(extra_args);
    return options;
  }

  TempDir dir_;
  NatsServer nats_;
  std::unique_ptr<NatsClient> client_;
  std::unique_ptr<ServiceProcess> orders_;
  std::unique_ptr<ServiceProcess> payments_;
  std::unique_ptr<ServiceProcess> notifications_;
};

}  // namespace logistics::testing
