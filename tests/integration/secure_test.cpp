// NATS with users and least-privilege permissions (deploy/nats/nats-server.conf,
// what `scripts/run --secure` runs): the services work under their own users,
// and the server refuses what a user may not do.
//
// Every test starts a real nats-server with the shipped configuration file and
// random passwords, given to nats-server through its environment (quoted, as
// scripts/run --secure does); each service is told its own user and 0600
// password file through NATS_USER and NATS_PASSWORD_FILE.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "integration/run_script.hpp"
#include "integration/secure_system.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/loopback_port.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The connection's last error, as nats.c recorded it from the server's -ERR.
std::pair<natsStatus, std::string> LastError(NatsClient& client) {
  const char* text = nullptr;
  const natsStatus status = natsConnection_GetLastError(client.connection(), &text);
  return {status, text != nullptr ? text : ""};
}

std::string OrderStatus(NatsClient& client, const std::string& order_id) {
  const Reply reply = client.Request("orders.query.get", json{{"order_id", order_id}}.dump());
  return reply.Status() == 200 ? reply.Json()["status"].get<std::string>() : "";
}

// The de-duplication window of `stream`, in seconds (0 if it cannot be read).
int64_t DuplicateWindowSeconds(NatsClient& client, const std::string& stream) {
  jsStreamInfo* raw = nullptr;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&raw, client.jetstream(), stream.c_str(), nullptr, &error_code) != NATS_OK) {
    return 0;
  }
  const StreamInfoPtr info(raw);
  return info->Config->Duplicates / 1'000'000'000;
}

TEST_CASE("with users and permissions, an order is paid through events as before", "[secure]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  ServiceProcess& orders = system.Start("orders", LOGISTICS_ORDERS_BIN);
  // payments' consumer never processes the events of SECURE-UNSEEN orders, so
  // registering a payment for one makes payments ask orders.query.get.
  system.Start("payments", LOGISTICS_PAYMENTS_BIN,
               {{"LOGISTICS_FAULT", "fail-events-containing:SECURE-UNSEEN"}});
#ifdef LOGISTICS_NOTIFICATIONS_BIN
  const std::filesystem::path mail_dir = system.PasswordFile("x").parent_path().parent_path() / "mail";
  system.Start("notifications", LOGISTICS_NOTIFICATIONS_BIN, {{"MAIL_DIR", mail_dir.string()}});
#endif
  NatsClient& admin = system.admin();

  const Reply created = admin.Request(
      "orders.cmd.create",
      R"({"tracking_number":"SECURE-1","customer_name":"Ana","customer_email":"ana@example.com","origin":"Madrid","destination":"Lisbon"})");
  INFO(created.body);
  REQUIRE(created.Status() == 200);
  const std::string order_id = created.Json()["order_id"];

  const Reply registered = admin.Request(
      "payments.cmd.register", json{{"order_id", order_id}, {"amount", "100.00"}}.dump());
  INFO(registered.body);
  REQUIRE(registered.Status() == 200);
  const std::string payment_id = registered.Json()["payment_id"];

  const Reply confirmed =
      admin.Request("payments.cmd.confirm", json{{"payment_id", payment_id}}.dump());
  INFO(confirmed.body);
  REQUIRE(confirmed.Status() == 200);
  CHECK(confirmed.Json()["status"] == "CONFIRMED");

  // orders-payments (orders' consumer on PAYMENTS) turns the order PAID.
  CHECK(Eventually([&] { return OrderStatus(admin, order_id) == "PAID"; }, 15s));
  // Both services published their events into their streams.
  CHECK(admin.ReadStream("ORDERS", "orders.events." + order_id + ".>").size() == 2);
  CHECK(admin.ReadStream("PAYMENTS", "payments.events." + payment_id + ".>").size() == 2);

  // payments asks orders.query.get about an order it has not seen, and orders answers it.
  const Reply unseen = admin.Request(
      "orders.cmd.create",
      R"({"tracking_number":"SECURE-UNSEEN-1","customer_name":"Ana","origin":"Porto","destination":"Faro"})");
  REQUIRE(unseen.Status() == 200);
  const Reply asked = admin.Request(
      "payments.cmd.register",
      json{{"order_id", unseen.Json()["order_id"]}, {"amount", "5.00"}}.dump());
  INFO(asked.body);
  CHECK(asked.Status() == 200);

#ifdef LOGISTICS_NOTIFICATIONS_BIN
  // notifications reads both streams through its consumers and mails the customer.
  CHECK(Eventually([&] {
    std::error_code error;
    if (!std::filesystem::is_directory(mail_dir, error)) return false;
    const auto files = std::filesystem::directory_iterator(mail_dir, error);
    return !error && std::distance(begin(files), end(files)) >= 1;
  }, 15s));
  const std::vector<std::string> services = {"orders", "payments", "notifications"};
#else
  const std::vector<std::string> services = {"orders", "payments"};
#endif
  // Every service answers service discovery and its status query.
  for (const std::string& service : services) {
    INFO(service);
    const Reply ping = admin.Request("$SRV.PING." + service, "");
    REQUIRE(ping.Status() == 200);
    CHECK(ping.Json()["name"] == service);
    CHECK(admin.Request("$SRV.INFO." + service, "").Status() == 200);
    CHECK(admin.Request("$SRV.STATS." + service, "").Status() == 200);
    CHECK(admin.Request(service + ".query.status", "{}").Status() == 200);
  }

  // Restarted with another de-duplication window, orders may not change its
  // stream: it says what differs and exits 1; provisioned with that window,
  // it starts.
  REQUIRE(orders.Terminate().Success());
  ServiceProcess& refused =
      system.Launch("orders", LOGISTICS_ORDERS_BIN, {{"DUPLICATE_WINDOW_SECONDS", "900"}});
  const auto refused_exit = refused.WaitForExit(20s);
  REQUIRE(refused_exit);
  CHECK(refused_exit->code == 1);
  CHECK_THAT(refused.Log(), Catch::Contains("stream ORDERS is configured differently: duplicate "
                                            "window 600 s instead of 900 s"));
  CHECK(DuplicateWindowSeconds(admin, "ORDERS") == 600);
  REQUIRE(system.Provision({"--duplicate-window", "900"}).first.Success());
  CHECK(DuplicateWindowSeconds(admin, "ORDERS") == 900);
  system.Start("orders", LOGISTICS_ORDERS_BIN, {{"DUPLICATE_WINDOW_SECONDS", "900"}});
  CHECK(OrderStatus(admin, order_id) == "PAID");

  // Nothing the services did was refused (nats-server logs "Publish Violation"
  // or "Subscription Violation"; the services log the server's -ERR as an
  // asynchronous error), and they never failed to authenticate.
  CHECK(system.LogLinesMentioning("Violation") == std::vector<std::string>{});
  CHECK(system.LogLinesMentioning("authentication error") == std::vector<std::string>{});
  CHECK(system.LogLinesMentioning("NATS asynchronous error") == std::vector<std::string>{});
}

TEST_CASE("the payments user cannot publish orders events", "[secure]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  system.Start("orders", LOGISTICS_ORDERS_BIN);
  NatsClient& admin = system.admin();
  REQUIRE(Eventually([&] { return admin.StreamExists("ORDERS"); }));
  const uint64_t stored_before = admin.StreamLastSequence("ORDERS");

  const std::unique_ptr<NatsClient> payments = system.ClientOf("payments");
  // What payments may do works on this connection: ask orders about an order.
  const Reply allowed = payments->Request(
      "orders.query.get", json{{"order_id", "0193a5b2-7c1d-7e4f-8a90-123456789abc"}}.dump());
  CHECK(allowed.Status() == 404);
  CHECK(LastError(*payments).first == NATS_OK);

  // A forged orders event: the server refuses it with -ERR 'Permissions
  // Violation', which nats.c records as the connection's last error. Publish
  // flushes, so the -ERR (sent before the flush's PONG) has been read.
  const std::string subject = "orders.events.0193a5b2-7c1d-7e4f-8a90-123456789abc.cancelled";
  payments->Publish(subject, R"({"forged":true})");
  const auto [status, text] = LastError(*payments);
  INFO("last error: " << natsStatus_GetText(status) << ": " << text);
  CHECK(status == NATS_NOT_PERMITTED);
  CHECK_THAT(text, Catch::Contains("Permissions Violation for Publish to \"" + subject + "\""));
  CHECK_THAT(system.nats().Log(),
             Catch::Contains("Publish Violation - User \"payments\", Subject \"" + subject + "\""));

  // A JetStream publish gets no PubAck either, and the stream stores nothing.
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = 1000;
  jsPubAck* ack = nullptr;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  const natsStatus published = js_Publish(&ack, payments->jetstream(), subject.c_str(),
                                          R"({"forged":true})", 15, &options, &error_code);
  jsPubAck_Destroy(ack);
  CHECK(published != NATS_OK);
  CHECK(admin.StreamLastSequence("ORDERS") == stored_before);
  CHECK(admin.ReadStream("ORDERS", subject).empty());
}

TEST_CASE("the orders user cannot subscribe to payments commands", "[secure]") {
  SecureSystem system;
  NatsClient& admin = system.admin();
  const std::unique_ptr<NatsClient> orders = system.ClientOf("orders");

  // The harness flushes after subscribing, so the server's -ERR has been read.
  const Subscription refused = orders->Subscribe("payments.cmd.>");
  const auto [status, text] = LastError(*orders);
  INFO("last error: " << natsStatus_GetText(status) << ": " << text);
  CHECK(status == NATS_NOT_PERMITTED);
  CHECK_THAT(text, Catch::Contains("Permissions Violation for Subscription to \"payments.cmd.>\""));
  CHECK_THAT(system.nats().Log(),
             Catch::Contains("Subscription Violation - User \"orders\", Subject \"payments.cmd.>\""));

  // And nothing reaches it: the admin publishes a payments command, then a
  // marker on a subject orders may read; the server delivers one publisher's
  // messages in order, so once the marker is there the command would be too.
  const Subscription marker = orders->Subscribe("_INBOX.orders.secure-test-marker");
  admin.Publish("payments.cmd.register", R"({"order_id":"x","amount":"1.00"})");
  admin.Publish("_INBOX.orders.secure-test-marker", "marker");
  REQUIRE(Eventually([&] { return marker.Count() == 1; }));
  CHECK(refused.Count() == 0);
}

TEST_CASE("a wrong password or no credentials are refused", "[secure]") {
  SecureSystem system;

  auto connect = [&](const std::string& user, const std::string& password) {
    natsOptions* raw_options = nullptr;
    REQUIRE(natsOptions_Create(&raw_options) == NATS_OK);
    const NatsOptionsPtr options(raw_options);
    REQUIRE(natsOptions_SetURL(options.get(), system.nats().url().c_str()) == NATS_OK);
    REQUIRE(natsOptions_SetTimeout(options.get(), 2000) == NATS_OK);
    if (!user.empty()) {
      REQUIRE(natsOptions_SetUserInfo(options.get(), user.c_str(), password.c_str()) == NATS_OK);
    }
    natsConnection* raw = nullptr;
    const natsStatus status = natsConnection_Connect(&raw, options.get());
    const NatsConnectionPtr connection(raw);
    return status;
  };

  CHECK(connect("orders", system.password("orders")) == NATS_OK);
  CHECK(connect("orders", system.password("orders") + "x") == NATS_CONNECTION_AUTH_FAILED);
  CHECK(connect("orders", system.password("payments")) == NATS_CONNECTION_AUTH_FAILED);
  CHECK(connect("admin", "") == NATS_CONNECTION_AUTH_FAILED);
  CHECK(connect("", "") == NATS_CONNECTION_AUTH_FAILED);
  CHECK_THAT(system.nats().Log(), Catch::Contains("authentication error - User \"orders\""));

  // A service with a wrong password is refused too, and so serves nothing.
  const std::filesystem::path dir = system.PasswordFile("orders").parent_path().parent_path();
  const std::filesystem::path wrong = dir / "wrong.password";
  std::ofstream(wrong) << "not-the-password\n";
  ServiceProcess orders(LOGISTICS_ORDERS_BIN,
                        {"--nats-url", system.nats().url(), "--db", (dir / "orders.db").string()},
                        {{"NATS_USER", "orders"}, {"NATS_PASSWORD_FILE", wrong.string()}}, dir);
  orders.Start();
  // The service names its connection "orders" (nats.c shows it as "v<version>:C:orders").
  CHECK(Eventually([&] {
    return system.nats().Log().find(":C:orders\" - authentication error - User \"orders\"") !=
           std::string::npos;
  }));
  const Reply unserved = system.admin().Request("orders.query.get", "{}", {}, 2s);
  CHECK(unserved.no_responders);
  // The outcome is defined: the service says why and exits 1.
  const auto exit = orders.WaitForExit(10s);
  REQUIRE(exit);
  CHECK(exit->exited);
  CHECK(exit->code == 1);
  CHECK_THAT(orders.Log(), Catch::Contains("NATS refused the credentials"));
  CHECK_THAT(orders.Log(), !Catch::Contains("not-the-password"));
}

// ---- scripts/run --secure ----------------------------------------------------

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

TEST_CASE("scripts/run --secure runs every service as its own NATS user", "[secure][scripts]") {
  TempDir data("secure-run-data");
  TempDir logs("secure-run-logs");
  const int port = FreePortRun(1);
  const int metrics_port = FreePortRun(3, {port});
  const std::string url = "nats://127.0.0.1:" + std::to_string(port);
  RunScript run({"--secure"},
                {{"NATS_PORT", std::to_string(port)},
                 {"METRICS_PORT_BASE", std::to_string(metrics_port)}},
                data.path(), logs.path(), "scripts-run-secure");
  run.StartAndWaitUntilReady();

  // One password file per user of the configuration, readable by its owner only.
  const std::filesystem::path secrets = data.path() / "secrets";
  CHECK((std::filesystem::status(secrets).permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);
  std::map<std::string, std::string> passwords;
  for (const auto& [user, variable] : kPasswordVariables) {
    const std::filesystem::path file = secrets / (user + ".password");
    INFO(file);
    REQUIRE(std::filesystem::exists(file));
    CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    std::string password = ReadFile(file);
    if (!password.empty() && password.back() == '\n') password.pop_back();
    CHECK(password.size() >= 32);
    passwords[user] = password;
  }

  {
    // The admin drives an order to PAID through both services.
    NatsClient admin(url, "secure-run-admin", "admin", passwords.at("admin"));
    const Reply created = admin.Request(
        "orders.cmd.create",
        R"({"tracking_number":"SECURE-RUN-1","customer_name":"Ana","origin":"Madrid","destination":"Lisbon"})");
    INFO(created.body);
    REQUIRE(created.Status() == 200);
    const std::string order_id = created.Json()["order_id"];
    const Reply registered = admin.Request(
        "payments.cmd.register", json{{"order_id", order_id}, {"amount", "10.00"}}.dump());
    INFO(registered.body);
    REQUIRE(registered.Status() == 200);
    const Reply confirmed = admin.Request(
        "payments.cmd.confirm",
        json{{"payment_id", registered.Json()["payment_id"]}}.dump());
    REQUIRE(confirmed.Status() == 200);
    CHECK(Eventually([&] { return OrderStatus(admin, order_id) == "PAID"; }, 15s));

    // A service's user may not do what another service does.
    NatsClient payments(url, "secure-run-payments", "payments", passwords.at("payments"));
    payments.Publish("orders.cmd.cancel", json{{"order_id", order_id}}.dump());
    CHECK(LastError(payments).first == NATS_NOT_PERMITTED);
    CHECK(OrderStatus(admin, order_id) == "PAID");
  }

  // No password is on a command line or in a log.
  for (const auto& [user, password] : passwords) {
    INFO("the password of " << user);
    CHECK(ProcessesMentioning(password) == std::vector<std::string>{});
    CHECK_THAT(run.Log(), !Catch::Contains(password));
    for (const auto& entry : std::filesystem::directory_iterator(data.path() / "logs")) {
      INFO(entry.path());
      CHECK_THAT(ReadFile(entry.path()), !Catch::Contains(password));
    }
  }
  CHECK_THAT(run.Log(), Catch::Contains("--user admin --password"));

  run.StopCleanly();
}


TEST_CASE("scripts/run --secure --tls serves a client that trusts its CA and nobody in plain text",
          "[secure][scripts][tls]") {
  TempDir data("secure-tls-run-data");
  TempDir logs("secure-tls-run-logs");
  const int port = FreePortRun(1);
  const int metrics_port = FreePortRun(3, {port});
  const std::string url = "nats://127.0.0.1:" + std::to_string(port);
  RunScript run({"--secure", "--tls"},
                {{"NATS_PORT", std::to_string(port)},
                 {"METRICS_PORT_BASE", std::to_string(metrics_port)}},
                data.path(), logs.path(), "scripts-run-secure-tls");
  run.StartAndWaitUntilReady();
  const std::filesystem::path ca = data.path() / "tls" / "ca.pem";
  REQUIRE(std::filesystem::exists(ca));
  CHECK_THAT(run.Log(), Catch::Contains("--tlsca " + ca.string()));
  CHECK_THAT(ReadFile(data.path() / "logs" / "provision.log"), Catch::Contains("stream ORDERS:"));

  std::string password = ReadFile(data.path() / "secrets" / "client.password");
  if (!password.empty() && password.back() == '\n') password.pop_back();
  auto connect = [&](bool tls, natsConnection** connection) {
    natsOptions* raw_options = nullptr;
    REQUIRE(natsOptions_Create(&raw_options) == NATS_OK);
    const NatsOptionsPtr options(raw_options);
    REQUIRE(natsOptions_SetURL(options.get(), url.c_str()) == NATS_OK);
    REQUIRE(natsOptions_SetTimeout(options.get(), 5000) == NATS_OK);
    REQUIRE(natsOptions_SetUserInfo(options.get(), "client", password.c_str()) == NATS_OK);
    REQUIRE(natsOptions_SetCustomInboxPrefix(options.get(), "_INBOX.client") == NATS_OK);
    if (tls) {
      REQUIRE(natsOptions_SetSecure(options.get(), true) == NATS_OK);
      REQUIRE(natsOptions_LoadCATrustedCertificates(options.get(), ca.c_str()) == NATS_OK);
    }
    return natsConnection_Connect(connection, options.get());
  };

  // The client role over TLS: a command is answered by orders, itself on TLS.
  natsConnection* raw = nullptr;
  REQUIRE(connect(true, &raw) == NATS_OK);
  const NatsConnectionPtr client(raw);
  natsMsg* raw_reply = nullptr;
  const std::string body =
      R"({"tracking_number":"SECURE-TLS-1","customer_name":"Ana","origin":"Madrid","destination":"Lisbon"})";
  REQUIRE(natsConnection_RequestString(&raw_reply, client.get(), "orders.cmd.create", body.c_str(),
                                       5000) == NATS_OK);
  const NatsMessagePtr reply(raw_reply);
  const char* error_code = nullptr;
  CHECK(natsMsgHeader_Get(reply.get(), "Nats-Service-Error-Code", &error_code) == NATS_NOT_FOUND);
  CHECK_THAT(std::string(natsMsg_GetData(reply.get())), Catch::Contains("\"status\":\"CREATED\""));

  // Plain text is not served.
  natsConnection* plain = nullptr;
  CHECK(connect(false, &plain) != NATS_OK);
  natsConnection_Destroy(plain);

  run.StopCleanly();
}

}  // namespace
}  // namespace logistics::testing
