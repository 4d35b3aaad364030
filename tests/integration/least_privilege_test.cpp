// Least privilege that holds (issue 17), against a real nats-server with the
// shipped configuration (deploy/nats/nats-server.conf) and the real services.
//
// Each hole found by the attack run has its test, and each test fails when the
// guard it relies on is loosened: the services' reply guard (a reply subject
// outside `_INBOX.` is refused, logged and counted), the server's
// permissions (no allow_responses, per-user inboxes, no stream management by
// service users, the roles client and reader), and the provisioning step
// (services with MANAGE_STREAMS=false check, never create).
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "integration/secure_system.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kCreateBody =
    R"({"tracking_number":"LP-1","customer_name":"Ana","customer_email":"ana@example.com","origin":"Madrid","destination":"Lisbon"})";

// The connection's last error, as nats.c recorded it from the server's -ERR.
std::pair<natsStatus, std::string> LastErrorOf(NatsClient& client) {
  const char* text = nullptr;
  const natsStatus status = natsConnection_GetLastError(client.connection(), &text);
  return {status, text != nullptr ? text : ""};
}

// Publishes `body` on `subject` naming `reply` as the reply subject, and
// flushes, so the server has it (and any -ERR is read) when this returns.
void PublishWithReply(NatsClient& client, const std::string& subject, const std::string& reply,
                      const std::string& body) {
  REQUIRE(natsConnection_PublishRequestString(client.connection(), subject.c_str(),
                                              reply.c_str(), body.c_str()) == NATS_OK);
  REQUIRE(natsConnection_FlushTimeout(client.connection(), 2000) == NATS_OK);
}

// A raw JetStream API call as `client`: true when the server let the request
// through and the API answered (the answer may be an API error).
bool JetStreamApiAnswers(NatsClient& client, const std::string& subject,
                         const std::string& body = "") {
  natsMsg* raw = nullptr;
  const natsStatus status =
      natsConnection_RequestString(&raw, client.connection(), subject.c_str(), body.c_str(), 1000);
  const NatsMessagePtr reply(raw);
  return status == NATS_OK;
}

bool ConsumerExists(NatsClient& admin, const std::string& stream, const std::string& durable) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetConsumerInfo(&raw, admin.jetstream(), stream.c_str(),
                                               durable.c_str(), nullptr, &error);
  jsConsumerInfo_Destroy(raw);
  return status == NATS_OK;
}

std::int64_t RepliesRefused(NatsClient& admin, const std::string& service) {
  const Reply status = admin.Request(service + ".query.status", "{}");
  REQUIRE(status.Status() == 200);
  return status.Json().value("replies_refused", std::int64_t{-1});
}

TEST_CASE("a reply subject outside the inbox space is refused by the service and the stream "
          "stays whole",
          "[secure][deputy]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  ServiceProcess& orders = system.Start("orders", LOGISTICS_ORDERS_BIN);
  NatsClient& admin = system.admin();
  const Reply created = admin.Request("orders.cmd.create", kCreateBody);
  REQUIRE(created.Status() == 200);
  const std::string order_id = created.Json()["order_id"];
  REQUIRE(Eventually([&] { return admin.StreamMessageCount("ORDERS") == 1; }));

  // As the payments user, which may ask orders.query.get: every reply subject
  // the attack run tried, and the next obvious ones.
  const std::unique_ptr<NatsClient> payments = system.ClientOf("payments");
  const std::vector<std::string> deputy_replies = {
      "$JS.API.STREAM.PURGE.ORDERS",
      "$JS.API.STREAM.DELETE.ORDERS",
      "$JS.API.CONSUMER.DELETE.ORDERS.notifications-orders",
      "orders.events." + order_id + ".paid",
      "payments.cmd.register",
  };
  const std::string query = json{{"order_id", order_id}}.dump();
  for (const std::string& reply : deputy_replies) {
    PublishWithReply(*payments, "orders.query.get", reply, query);
  }
  REQUIRE(Eventually([&] { return RepliesRefused(admin, "orders") == 5; }));
  for (const std::string& reply : deputy_replies) {
    INFO(reply);
    CHECK_THAT(orders.Log(), Catch::Contains("\"reply_subject\":\"" + reply + "\""));
  }
  CHECK_THAT(orders.Log(),
             Catch::Contains("refused a request whose reply subject is outside the inbox space"));

  // Nothing changed: the stream holds its one event, the consumer exists, no
  // forged event was stored, and orders itself was never refused by the server.
  const Reply still = admin.Request("orders.query.get", query);
  CHECK(still.Status() == 200);
  CHECK(admin.StreamMessageCount("ORDERS") == 1);
  CHECK(admin.ReadStream("ORDERS", "orders.events." + order_id + ".paid").empty());
  CHECK(ConsumerExists(admin, "ORDERS", "notifications-orders"));
  CHECK(system.LogLinesMentioning("Publish Violation - User \"orders\"").empty());
}

TEST_CASE("the server refuses a service's publish outside its own subjects and inboxes",
          "[secure][deputy]") {
  // The second guard, on its own: what the reply guard would otherwise let
  // through, the orders user may not publish.
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  NatsClient& admin = system.admin();
  const std::unique_ptr<NatsClient> orders = system.ClientOf("orders");
  for (const std::string subject :
       {"$JS.API.STREAM.PURGE.ORDERS", "$JS.API.STREAM.DELETE.ORDERS",
        "$JS.API.STREAM.UPDATE.ORDERS", "$JS.API.CONSUMER.DELETE.ORDERS.notifications-orders",
        "$JS.API.CONSUMER.DURABLE.CREATE.PAYMENTS.orders-payments", "payments.cmd.register",
        "payments.events.0193a5b2-7c1d-7e4f-8a90-123456789abc.confirmed"}) {
    INFO(subject);
    CHECK_FALSE(JetStreamApiAnswers(*orders, subject, "{}"));
    CHECK_THAT(system.nats().Log(),
               Catch::Contains("Publish Violation - User \"orders\", Subject \"" + subject + "\""));
  }
  // What it may do still works: read its stream's configuration.
  CHECK(JetStreamApiAnswers(*orders, "$JS.API.STREAM.INFO.ORDERS"));
  CHECK(admin.StreamExists("ORDERS"));
  CHECK(ConsumerExists(admin, "ORDERS", "notifications-orders"));
}

TEST_CASE("no user reads another user's replies", "[secure][inbox]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  system.Start("orders", LOGISTICS_ORDERS_BIN);
  const std::unique_ptr<NatsClient> payments = system.ClientOf("payments");
  const std::unique_ptr<NatsClient> reader = system.ClientOf("reader");

  // Subscribing to every inbox, or to another user's, is refused.
  for (const std::string subject : {"_INBOX.>", "_INBOX.admin.>", "_INBOX.client.>"}) {
    INFO(subject);
    const Subscription refused = payments->Subscribe(subject);
    CHECK(LastErrorOf(*payments).first == NATS_NOT_PERMITTED);
    CHECK_THAT(system.nats().Log(),
               Catch::Contains("Subscription Violation - User \"payments\", Subject \"" +
                               subject + "\""));
  }
  // The admin may subscribe widely, but another user's inbox is filtered out
  // of what it is delivered.
  NatsClient& admin = system.admin();
  const Subscription everything = admin.Subscribe("_INBOX.>");

  // The client's create, with the customer's e-mail in the reply, reaches the
  // client only.
  const std::unique_ptr<NatsClient> client = system.ClientOf("client");
  const Reply created = client->Request("orders.cmd.create", kCreateBody);
  REQUIRE(created.Status() == 200);
  CHECK(created.Json()["customer_email"] == "ana@example.com");
  // A marker in the admin's own inbox space: delivered after the reply would be.
  const Subscription marker = admin.Subscribe("_INBOX.admin.marker");
  client->Publish("orders.query.get", "{}");  // unrelated traffic, nothing for the admin
  admin.Publish("_INBOX.admin.marker", "marker");
  REQUIRE(Eventually([&] { return marker.Count() == 1; }));
  for (const auto& message : everything.Messages()) {
    INFO(message.subject);
    CHECK(message.subject.rfind("_INBOX.client.", 0) != 0);
    CHECK(message.data.find("ana@example.com") == std::string::npos);
  }
}

TEST_CASE("service users cannot update, purge or delete streams or others' consumers",
          "[secure][streams]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  NatsClient& admin = system.admin();
  const std::unique_ptr<NatsClient> orders = system.ClientOf("orders");
  const std::unique_ptr<NatsClient> notifications = system.ClientOf("notifications");

  // The attack run widened ORDERS' subjects and set max_msgs=1 as orders.
  json widened = {{"name", "ORDERS"},
                  {"subjects", {"orders.events.>", "_INBOX.>", "payments.cmd.>"}},
                  {"max_msgs", 1}};
  CHECK_FALSE(JetStreamApiAnswers(*orders, "$JS.API.STREAM.UPDATE.ORDERS", widened.dump()));
  CHECK_FALSE(JetStreamApiAnswers(*orders, "$JS.API.STREAM.CREATE.ORDERS", widened.dump()));
  CHECK_FALSE(JetStreamApiAnswers(*orders, "$JS.API.STREAM.PURGE.ORDERS"));
  CHECK_FALSE(JetStreamApiAnswers(*orders, "$JS.API.STREAM.DELETE.ORDERS"));
  CHECK_FALSE(
      JetStreamApiAnswers(*notifications, "$JS.API.CONSUMER.DELETE.ORDERS.payments-orders"));
  CHECK_FALSE(
      JetStreamApiAnswers(*notifications, "$JS.API.CONSUMER.DELETE.ORDERS.notifications-orders"));

  // The stream is as provisioned, and every consumer is still there.
  jsStreamInfo* raw = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  REQUIRE(js_GetStreamInfo(&raw, admin.jetstream(), "ORDERS", nullptr, &error) == NATS_OK);
  const StreamInfoPtr info(raw);
  REQUIRE(info->Config->SubjectsLen == 1);
  CHECK(std::string(info->Config->Subjects[0]) == "orders.events.>");
  CHECK(info->Config->MaxMsgs == -1);
  for (const auto& [stream, durable] :
       std::vector<std::pair<std::string, std::string>>{{"ORDERS", "payments-orders"},
                                                        {"ORDERS", "notifications-orders"},
                                                        {"PAYMENTS", "orders-payments"},
                                                        {"PAYMENTS", "notifications-payments"}}) {
    INFO(durable);
    CHECK(ConsumerExists(admin, stream, durable));
  }
}

TEST_CASE("a reader consumes the event streams through its own consumer and cannot command",
          "[secure][roles]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  system.Start("orders", LOGISTICS_ORDERS_BIN);
  NatsClient& admin = system.admin();
  const Reply created = admin.Request("orders.cmd.create", kCreateBody);
  REQUIRE(created.Status() == 200);
  const std::unique_ptr<NatsClient> reader = system.ClientOf("reader");

  // A durable consumer of its own, fetched and acknowledged.
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "audit";
  config.AckPolicy = js_AckExplicit;
  jsConsumerInfo* added = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  REQUIRE(js_AddConsumer(&added, reader->jetstream(), "ORDERS", &config, nullptr, &error) ==
          NATS_OK);
  jsConsumerInfo_Destroy(added);
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = "ORDERS";
  options.Consumer = "audit";
  natsSubscription* raw_subscription = nullptr;
  REQUIRE(js_PullSubscribe(&raw_subscription, reader->jetstream(), "orders.events.>", "audit",
                           nullptr, &options, &error) == NATS_OK);
  const NatsSubscriptionPtr subscription(raw_subscription);
  natsMsgList list{};
  REQUIRE(natsSubscription_Fetch(&list, subscription.get(), 10, 5000, &error) == NATS_OK);
  REQUIRE(list.Count == 1);
  CHECK(std::string(natsMsg_GetSubject(list.Msgs[0])).rfind("orders.events.", 0) == 0);
  CHECK(natsMsg_Ack(list.Msgs[0], nullptr) == NATS_OK);
  natsMsgList_Destroy(&list);

  // It cannot command, take a service's consumer, or delete one.
  reader->Publish("orders.cmd.create", kCreateBody);
  CHECK(LastErrorOf(*reader).first == NATS_NOT_PERMITTED);
  CHECK_FALSE(JetStreamApiAnswers(*reader,
                                  "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.payments-orders", "{}"));
  CHECK_FALSE(JetStreamApiAnswers(*reader, "$JS.API.CONSUMER.MSG.NEXT.ORDERS.payments-orders",
                                  R"({"batch":1})"));
  CHECK_FALSE(JetStreamApiAnswers(*reader, "$JS.API.CONSUMER.DELETE.ORDERS.notifications-orders"));
  CHECK(admin.StreamMessageCount("ORDERS") == 1);
  CHECK(ConsumerExists(admin, "ORDERS", "payments-orders"));
}

TEST_CASE("a client commands and queries but reads no events and no JetStream",
          "[secure][roles]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  system.Start("orders", LOGISTICS_ORDERS_BIN);
  const std::unique_ptr<NatsClient> client = system.ClientOf("client");
  const Reply created = client->Request("orders.cmd.create", kCreateBody);
  REQUIRE(created.Status() == 200);
  const Reply found = client->Request(
      "orders.query.get", json{{"order_id", created.Json()["order_id"]}}.dump());
  CHECK(found.Status() == 200);
  // A command without a reply subject: its rejection reaches the client.
  const Subscription rejections = client->Subscribe("orders.rejected.>");
  client->Publish("orders.cmd.create", "{}");
  CHECK(Eventually([&] { return rejections.Count() == 1; }));

  const Subscription events = client->Subscribe("orders.events.>");
  CHECK(LastErrorOf(*client).first == NATS_NOT_PERMITTED);
  CHECK_FALSE(JetStreamApiAnswers(*client, "$JS.API.STREAM.INFO.ORDERS"));
}

TEST_CASE("a service whose stream is not provisioned says so and exits 1, and runs once it is",
          "[secure][streams]") {
  SecureSystem system;
  ServiceProcess& orders = system.Launch("orders", LOGISTICS_ORDERS_BIN);
  const auto exit = orders.WaitForExit(20s);
  REQUIRE(exit);
  CHECK(exit->exited);
  CHECK(exit->code == 1);
  CHECK_THAT(orders.Log(), Catch::Contains("stream ORDERS does not exist: an administrator "
                                           "provisions it with `logistics-events provision`"));
  CHECK_FALSE(system.admin().StreamExists("ORDERS"));

  const auto [first, first_output] = system.Provision();
  REQUIRE(first.Success());
  CHECK_THAT(first_output, Catch::Contains("stream ORDERS: created"));
  CHECK_THAT(first_output, Catch::Contains("consumer payments-orders on ORDERS: created"));
  // Provisioning again changes nothing.
  const auto [again, again_output] = system.Provision();
  REQUIRE(again.Success());
  CHECK_THAT(again_output, Catch::Contains("stream ORDERS: as configured"));
  CHECK_THAT(again_output, !Catch::Contains("created"));
  CHECK_THAT(again_output, !Catch::Contains("updated"));

  system.Start("orders", LOGISTICS_ORDERS_BIN);
  CHECK(system.admin().Request("orders.cmd.create", kCreateBody).Status() == 200);
  CHECK(Eventually([&] { return system.admin().StreamMessageCount("ORDERS") == 1; }));
}

TEST_CASE("a service whose consumer was changed behind its back says what differs and exits 1",
          "[secure][streams]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  NatsClient& admin = system.admin();
  // An operator's mistake: payments-orders now stops after 3 deliveries.
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "payments-orders";
  config.FilterSubject = "orders.events.>";
  config.AckPolicy = js_AckExplicit;
  config.AckWait = 30'000'000'000;
  config.MaxDeliver = 3;
  jsConsumerInfo* updated = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  REQUIRE(js_UpdateConsumer(&updated, admin.jetstream(), "ORDERS", &config, nullptr, &error) ==
          NATS_OK);
  jsConsumerInfo_Destroy(updated);

  ServiceProcess& payments = system.Launch("payments", LOGISTICS_PAYMENTS_BIN);
  const auto exit = payments.WaitForExit(20s);
  REQUIRE(exit);
  CHECK(exit->code == 1);
  CHECK_THAT(payments.Log(), Catch::Contains("consumer payments-orders on stream ORDERS is "
                                             "configured differently: max deliveries 3 instead "
                                             "of unlimited"));
  const auto [provisioned, output] = system.Provision();
  REQUIRE(provisioned.Success());
  CHECK_THAT(output, Catch::Contains("consumer payments-orders on ORDERS: updated"));
  system.Start("payments", LOGISTICS_PAYMENTS_BIN);
}

}  // namespace
}  // namespace logistics::testing
