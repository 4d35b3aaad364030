// ConsumerRig: an EventConsumer on a real nats-server and a real SQLite file,
// for the consumer's tests (event_consumer_test.cpp) and the requeue of its
// dead letters (dead_letter_requeue_test.cpp).
//
// The database holds the inbox and a table `applied` with one row per event
// the handler applied: its effects, counted. The handler fails (kRetry,
// "poisoned") on every event whose payload contains "poison" while
// PoisonFails() is on (the default), like a bug fixed later.
//
// Thread-safety: driven by one test thread; the handler runs on the writer's.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"

namespace logistics::testing {

inline constexpr const char* kConsumerTestStream = "CONSUMERTEST";

class ConsumerRig {
 public:
  ConsumerRig(NatsServer& server, const ScratchDir& dir) : server_(server), dir_(dir) {
    auto db = sqlite::Database::Open(dir_.File("consumer.db"));
    REQUIRE(db);
    REQUIRE(sqlite::ApplyMigrations(*db, "inbox", messaging::SqliteInbox::Migrations()));
    REQUIRE(db->Execute("CREATE TABLE IF NOT EXISTS applied(n INTEGER PRIMARY KEY, event_id TEXT)"));
    writer_ = std::make_unique<messaging::Writer>(std::move(*db), messaging::WriterSettings{},
                                                  messaging::Writer::AfterCommit{});
    writer_->Start();
    fetches_ = Connect(true);
    acks_ = Connect(false);
  }
  ~ConsumerRig() { StopConsumer(); }
  ConsumerRig(const ConsumerRig&) = delete;
  ConsumerRig& operator=(const ConsumerRig&) = delete;

  // Starts a consumer of the stream (durable "test-consumer").
  void StartConsumer(std::chrono::milliseconds ack_wait = std::chrono::seconds(30)) {
    using namespace std::chrono_literals;
    messaging::ConsumerSpec spec;
    spec.stream = kConsumerTestStream;
    spec.durable = "test-consumer";
    spec.filter_subject = "consumertest.>";
    spec.batch = 4;
    spec.max_deliveries = 3;
    spec.ack_wait = ack_wait;
    spec.retry_initial = 10ms;
    spec.retry_max = 50ms;
    consumer_ = std::make_unique<messaging::EventConsumer>(
        *fetches_, *acks_, *writer_, clock_, spec,
        [this](sqlite::Database& db, const messaging::ConsumedEvent& event) {
          if (poison_fails_.load() && event.cloud_event.dump().find("poison") != std::string::npos) {
            return messaging::HandlerResult::Retry("poisoned");
          }
          auto insert = db.Prepare("INSERT INTO applied(event_id) VALUES(?)");
          if (!insert) return messaging::HandlerResult::Retry(insert.error().message);
          (*insert)->Bind(1, event.event_id);
          if (auto ran = (*insert)->Run(); !ran) {
            return messaging::HandlerResult::Retry(ran.error().message);
          }
          return messaging::HandlerResult::Applied();
        });
    consumer_->Start();
  }

  // Stops the consumer and sends the acknowledgements it left buffered.
  void StopConsumer() {
    if (!consumer_) return;
    consumer_->Stop();
    if (acks_->IsConnected()) (void)acks_->Flush(std::chrono::seconds(5));
    consumer_.reset();
  }

  // The bug behind "poison" is fixed (false) or back (true).
  void PoisonFails(bool fails) { poison_fails_.store(fails); }

  // The acknowledgements' connection goes away: what the consumer applies
  // from now on stays unacknowledged (as in a crash right after the commit).
  void LoseAcks() { acks_->Close(); }
  void RestoreAcks() { acks_ = Connect(false); }

  // The dead letter of the rig's consumer with this event id, as stored.
  messaging::StoredDeadLetter DeadLetter(const std::string& event_id) const {
    auto db = sqlite::Database::Open(dir_.File("consumer.db"));
    REQUIRE(db);
    auto found = messaging::SqliteDeadLetters(*db).Find("test-consumer", event_id);
    REQUIRE(found);
    REQUIRE(found->has_value());
    return **found;
  }

  // Requeues `letter` through the running consumer and waits for the outcome.
  messaging::RequeueOutcome Requeue(const messaging::StoredDeadLetter& letter,
                                    const messaging::DeadLetterActor& actor = {"test", "fixed"}) {
    auto promise = std::make_shared<std::promise<messaging::RequeueOutcome>>();
    auto future = promise->get_future();
    consumer_->Requeue(letter, actor,
                       [promise](messaging::RequeueOutcome outcome) { promise->set_value(outcome); });
    REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return future.get();
  }

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

  void Execute(const std::string& sql) const {
    auto db = sqlite::Database::Open(dir_.File("consumer.db"));
    REQUIRE(db);
    REQUIRE(db->Execute(sql));
  }

  messaging::EventConsumer& consumer() { return *consumer_; }

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
  common::SystemClock clock_;
  std::atomic<bool> poison_fails_{true};
  std::unique_ptr<messaging::Writer> writer_;
  std::unique_ptr<nats::Connection> fetches_;
  std::unique_ptr<nats::Connection> acks_;
  std::unique_ptr<messaging::EventConsumer> consumer_;
};

inline void CreateConsumerTestStream(NatsClient& client) {
  const char* subjects[] = {"consumertest.>"};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = kConsumerTestStream;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  jsStreamInfo* info = nullptr;
  REQUIRE(js_AddStream(&info, client.jetstream(), &config, nullptr, nullptr) == NATS_OK);
  jsStreamInfo_Destroy(info);
}

// Publishes event `id` (a CloudEvent with that id) under Nats-Msg-Id `msg_id`.
inline void PublishTestEvent(NatsClient& client, const std::string& id,
                             const std::string& msg_id = {}, const std::string& extra = "") {
  REQUIRE(client.PublishToStream("consumertest." + id,
                                 R"({"specversion":"1.0","id":")" + id + R"(","extra":")" + extra +
                                     R"("})",
                                 {{"Nats-Msg-Id", msg_id.empty() ? id : msg_id}}));
}

}  // namespace logistics::testing
