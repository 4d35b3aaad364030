// The event consumer against a real nats-server and a real SQLite file:
// stream order and one effect per event, redelivery of events whose ack was
// lost, a restart in the middle of a stream, a poison event dead-lettered.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"

using logistics::messaging::ConsumedEvent;
using logistics::messaging::ConsumerSpec;
using logistics::messaging::EventConsumer;
using logistics::messaging::HandlerResult;
using logistics::messaging::Writer;
using logistics::testing::Eventually;
using logistics::testing::NatsClient;
using logistics::testing::NatsServer;
using logistics::testing::ScratchDir;
namespace nats = logistics::nats;
namespace sqlite = logistics::sqlite;
using namespace std::chrono_literals;

namespace {

constexpr const char* kStream = "CONSUMERTEST";

// A service's database with the inbox and a table of applied effects, its
// writer, and the connections a consumer fetches and acknowledges on.
class ConsumerRig {
 public:
  ConsumerRig(NatsServer& server, const ScratchDir& dir) : server_(server), dir_(dir) {
    auto db = sqlite::Database::Open(dir_.File("consumer.db"));
    REQUIRE(db);
    REQUIRE(sqlite::ApplyMigrations(*db, "inbox", logistics::messaging::SqliteInbox::Migrations()));
    REQUIRE(db->Execute("CREATE TABLE IF NOT EXISTS applied(n INTEGER PRIMARY KEY, event_id TEXT)"));
    writer_ = std::make_unique<Writer>(std::move(*db), logistics::messaging::WriterSettings{},
                                       Writer::AfterCommit{});
    writer_->Start();
    fetches_ = Connect(true);
    acks_ = Connect(false);
  }
  ~ConsumerRig() { StopConsumer(); }

  // Starts a consumer of the stream (durable "test-consumer"). Events whose
  // payload contains "poison" fail every time.
  void StartConsumer(std::chrono::milliseconds ack_wait = 30s) {
    ConsumerSpec spec;
    spec.stream = kStream;
    spec.durable = "test-consumer";
    spec.filter_subject = "consumertest.>";
    spec.batch = 4;
    spec.max_deliveries = 3;
    spec.ack_wait = ack_wait;
    spec.retry_initial = 10ms;
    spec.retry_max = 50ms;
    consumer_ = std::make_unique<EventConsumer>(
        *fetches_, *acks_, *writer_, clock_, spec,
        [](sqlite::Database& db, const ConsumedEvent& event) {
          if (event.cloud_event.dump().find("poison") != std::string::npos) {
            return HandlerResult::Retry("poisoned");
          }
          auto insert = db.Prepare("INSERT INTO applied(event_id) VALUES(?)");
          if (!insert) return HandlerResult::Retry(insert.error().message);
          (*insert)->Bind(1, event.event_id);
          if (auto ran = (*insert)->Run(); !ran) return HandlerResult::Retry(ran.error().message);
          return HandlerResult::Applied();
        });
    consumer_->Start();
  }

  // Stops the consumer and sends the acknowledgements it left buffered.
  void StopConsumer() {
    if (!consumer_) return;
    consumer_->Stop();
    if (acks_->IsConnected()) (void)acks_->Flush(5s);
    consumer_.reset();
  }

  // The acknowledgements' connection goes away: what the consumer applies
  // from now on stays unacknowledged (as in a crash right after the commit).
  void LoseAcks() { acks_->Close(); }
  void RestoreAcks() { acks_ = Connect(false); }

  std::vector<std::string> Applied() const {
    auto db = sqlite::Database::Open(dir_.File("consumer.db"));
    REQUIRE(db);
    auto select = db->Prepare("SELECT event_id FROM applied ORDER BY n");
    REQUIRE(select);
    std::vector<std::string> ids;
    for (auto row = (*select)->Step(); row && *row; row = (*select)->Step()) {
      ids.push_back((*select)->ColumnText(0));
    }
    return ids;
  }

  std::string Query(const std::string& sql) const {
    auto db = sqlite::Database::Open(dir_.File("consumer.db"));
    REQUIRE(db);
    auto select = db->Prepare(sql);
    REQUIRE(select);
    auto row = (*select)->Step();
    REQUIRE(row);
    return *row ? (*select)->ColumnText(0) : std::string();
  }

  EventConsumer& consumer() { return *consumer_; }

 private:
  std::unique_ptr<nats::Connection> Connect(bool send_at_once) {
    nats::ConnectionSettings settings;
    settings.url = server_.url();
    settings.send_at_once = send_at_once;
    auto connection = nats::Connection::Connect(settings);
    REQUIRE(connection);
    return std::move(*connection);
  }

  NatsServer& server_;
  const ScratchDir& dir_;
  logistics::common::SystemClock clock_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<nats::Connection> fetches_;
  std::unique_ptr<nats::Connection> acks_;
  std::unique_ptr<EventConsumer> consumer_;
};

void CreateStream(NatsClient& client) {
  const char* subjects[] = {"consumertest.>"};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = kStream;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  jsStreamInfo* info = nullptr;
  REQUIRE(js_AddStream(&info, client.jetstream(), &config, nullptr, nullptr) == NATS_OK);
  jsStreamInfo_Destroy(info);
}

// Publishes event `id` (a CloudEvent with that id) under Nats-Msg-Id `msg_id`.
void PublishEvent(NatsClient& client, const std::string& id, const std::string& msg_id = {},
                  const std::string& extra = "") {
  REQUIRE(client.PublishToStream("consumertest." + id,
                                 R"({"specversion":"1.0","id":")" + id + R"(","extra":")" + extra +
                                     R"("})",
                                 {{"Nats-Msg-Id", msg_id.empty() ? id : msg_id}}));
}

std::vector<std::string> Ids(int from, int to) {
  std::vector<std::string> ids;
  for (int n = from; n <= to; ++n) ids.push_back("e" + std::to_string(n));
  return ids;
}

}  // namespace

TEST_CASE("a consumer applies every event once, in stream order, and acknowledges it",
          "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateStream(client);
  for (const auto& id : Ids(1, 10)) PublishEvent(client, id);
  ConsumerRig rig(server, dir);
  rig.StartConsumer();
  REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 10; }));
  CHECK(rig.Applied() == Ids(1, 10));
  CHECK(rig.Query("SELECT count(*) FROM inbox WHERE consumer = 'test-consumer'") == "10");
  CHECK(rig.consumer().Stats().duplicates == 0);
}

SCENARIO("a consumer restarted in the middle of a stream goes on where it stopped",
         "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateStream(client);
  ConsumerRig rig(server, dir);
  GIVEN("a consumer that applied five events and stopped") {
    for (const auto& id : Ids(1, 5)) PublishEvent(client, id);
    rig.StartConsumer();
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 5; }));
    rig.StopConsumer();
    WHEN("five more arrive and a consumer of the same durable starts") {
      for (const auto& id : Ids(6, 10)) PublishEvent(client, id);
      rig.StartConsumer();
      THEN("it applies only the five new ones") {
        REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 5; }));
        CHECK(rig.Applied() == Ids(1, 10));
        CHECK(rig.consumer().Stats().duplicates == 0);
      }
    }
  }
}

SCENARIO("events applied but never acknowledged are redelivered and have no second effect",
         "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateStream(client);
  ConsumerRig rig(server, dir);
  GIVEN("a consumer whose acknowledgements are lost after its commits") {
    for (const auto& id : Ids(1, 4)) PublishEvent(client, id);
    rig.LoseAcks();
    rig.StartConsumer(1s);
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 4; }));
    rig.StopConsumer();
    WHEN("a consumer with working acknowledgements starts after the ack wait") {
      rig.RestoreAcks();
      rig.StartConsumer(1s);
      THEN("every event comes again, is found in the inbox and acknowledged without effect") {
        REQUIRE(Eventually([&] { return rig.consumer().Stats().duplicates == 4; }, 20s));
        CHECK(rig.consumer().Stats().processed == 0);
        CHECK(rig.Applied() == Ids(1, 4));
      }
    }
  }
  GIVEN("an event already applied, published again under another Nats-Msg-Id") {
    PublishEvent(client, "e1");
    rig.StartConsumer();
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 1; }));
    PublishEvent(client, "e1", "a-copy-of-e1");
    THEN("the copy is acknowledged without a second effect") {
      REQUIRE(Eventually([&] { return rig.consumer().Stats().duplicates == 1; }));
      CHECK(rig.Applied() == Ids(1, 1));
    }
  }
}

TEST_CASE("an event that keeps failing is dead-lettered on its last delivery and the next events "
          "still flow",
          "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateStream(client);
  PublishEvent(client, "e1");
  PublishEvent(client, "bad", "", "poison");
  PublishEvent(client, "e2");
  ConsumerRig rig(server, dir);
  rig.StartConsumer();
  REQUIRE(Eventually([&] { return rig.consumer().Stats().dead_letters == 1; }));
  REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 2; }));
  CHECK(rig.consumer().Stats().retries == 2);  // deliveries 1 and 2; the 3rd is the last
  CHECK(rig.Applied() == std::vector<std::string>{"e1", "e2"});
  CHECK(rig.Query("SELECT event_id || ' ' || deliveries FROM dead_letters") == "bad 3");
}
