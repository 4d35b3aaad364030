// RelayRig: a relay against a real nats-server and a real SQLite file, with
// the writer that commits its outbox rows and its marks, for the relay's
// infrastructure tests. Rows are appended as a service would (through the
// writer, which wakes the relay after each commit); the stream is read back
// with the harness's plain nats.c client.
//
// Ownership: owns the server (unless given one), the database files, the
// connection, the writer and the relay. Thread-safety: the test's thread only.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/messaging/relay.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/messaging/sqlite_parked_events.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "support/harness/nats_server.hpp"

namespace logistics::testing {

inline constexpr const char* kRelayStream = "RELAYTEST";

inline messaging::StreamSpec RelayStreamSpec() {
  return messaging::StreamSpec{kRelayStream, {"relaytest.events.>"}, std::chrono::minutes(10),
                               "relay infrastructure test"};
}

// The outbox message of event `n` of aggregate `aggregate`, on subject
// "relaytest.events.<aggregate>.<n>"; `padding` bytes of filler make it as
// large as a test needs.
inline messaging::OutboxMessage TestEvent(const std::string& aggregate, int n,
                                          std::size_t padding = 0) {
  const std::string id = aggregate + "-" + std::to_string(n);
  return messaging::OutboxMessage{
      id, "relaytest.events." + aggregate + "." + std::to_string(n), {{"Nats-Msg-Id", id}},
      R"({"id":")" + id + R"(","version":)" + std::to_string(n) + R"(,"pad":")" +
          std::string(padding, 'x') + R"("})"};
}

class RelayRig {
 public:
  explicit RelayRig(NatsServer& server, const ScratchDir& dir) : server_(server), dir_(dir) {
    auto db = sqlite::Database::Open(dir_.File("relay.db"));
    REQUIRE(db);
    REQUIRE(sqlite::ApplyMigrations(*db, "outbox", messaging::SqliteOutbox::Migrations()));
  }
  ~RelayRig() { Stop(); }

  // Starts a writer and a relay on the database (a process starting).
  void Start(messaging::RelaySettings settings = {}) {
    nats::ConnectionSettings connection_settings;
    connection_settings.url = server_.url();
    connection_settings.send_at_once = false;  // as the service's events connection
    auto connection = nats::Connection::Connect(connection_settings);
    REQUIRE(connection);
    connection_ = std::move(*connection);
    auto db = sqlite::Database::Open(dir_.File("relay.db"));
    REQUIRE(db);
    writer_ = std::make_unique<messaging::Writer>(
        std::move(*db), messaging::WriterSettings{}, [this](sqlite::Database& db) {
          auto* relay = relay_for_writer_.load();
          if (relay == nullptr) return;
          if (auto last = messaging::SqliteOutbox(db).LastId()) relay->NotifyCommitted(*last);
        });
    auto reader = sqlite::Database::Open(dir_.File("relay.db"), {sqlite::OpenMode::kReadOnly});
    REQUIRE(reader);
    settings.streams = {RelayStreamSpec()};
    settings.retry_initial = std::chrono::milliseconds(20);
    settings.retry_max = std::chrono::milliseconds(200);
    relay_ = std::make_unique<messaging::Relay>(*connection_, std::move(*reader), *writer_, clock_,
                                                std::move(settings));
    writer_->Start();
    REQUIRE(relay_->Start());
    relay_for_writer_.store(relay_.get());
  }

  // Stops the relay and the writer (a process ending; nothing is flushed).
  void Stop() {
    relay_for_writer_.store(nullptr);
    if (relay_) relay_->Stop();
    if (writer_) writer_->Stop();
    relay_.reset();
    writer_.reset();
    connection_.reset();
  }

  // Commits the rows in one transaction, as one command's events.
  void Append(const std::vector<messaging::OutboxMessage>& messages) {
    std::promise<messaging::WriteStatus> done;
    REQUIRE(writer_->Submit(messaging::WriteJob{
        [&messages, this](sqlite::Database& db) {
          for (const auto& message : messages) {
            if (!messaging::SqliteOutbox(db).Append(message, clock_.Now(),
                                                    messaging::kDefaultMaxEventBytes)) {
              return messaging::SavepointOutcome::kRollBack;
            }
          }
          return messaging::SavepointOutcome::kKeep;
        },
        [&done](messaging::WriteStatus status) { done.set_value(status); }}));
    REQUIRE(done.get_future().get() == messaging::WriteStatus::kCommitted);
  }

  // Runs one SQL statement on a connection of its own; returns the first
  // column of the first row ("" when none).
  std::string Query(const std::string& sql) const {
    auto db = sqlite::Database::Open(dir_.File("relay.db"));
    REQUIRE(db);
    auto statement = db->Prepare(sql);
    REQUIRE(statement);
    auto row = (*statement)->Step();
    REQUIRE(row);
    return *row ? (*statement)->ColumnText(0) : std::string();
  }

  // Requeues the parked events of `aggregate` ("" for all) as an operator
  // does: through the writer, then tells the relay.
  void Requeue(const std::string& aggregate) {
    auto first = std::make_shared<std::optional<std::int64_t>>();
    std::promise<messaging::WriteStatus> done;
    REQUIRE(writer_->Submit(messaging::WriteJob{
        [first, &aggregate](sqlite::Database& db) {
          // On the writer thread: no Catch2 here; the test thread checks.
          auto requeued = messaging::SqliteParkedEvents(db).Requeue(aggregate);
          if (requeued) *first = *requeued;
          return requeued ? messaging::SavepointOutcome::kKeep
                          : messaging::SavepointOutcome::kRollBack;
        },
        [&done](messaging::WriteStatus status) { done.set_value(status); }}));
    // The relay is told once the requeue is committed, or it could read the
    // rows before they are handed back.
    REQUIRE(done.get_future().get() == messaging::WriteStatus::kCommitted);
    REQUIRE(first->has_value());
    relay_->NotifyRequeued(aggregate, **first);
  }

  std::int64_t Parked() const {
    return std::stoll(Query("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL"));
  }

  std::int64_t Unpublished() const {
    return std::stoll(Query("SELECT count(*) FROM outbox WHERE published_at IS NULL"));
  }

  messaging::Relay& relay() { return *relay_; }

 private:
  NatsServer& server_;
  const ScratchDir& dir_;
  common::SystemClock clock_;
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<messaging::Writer> writer_;
  std::unique_ptr<messaging::Relay> relay_;
  std::atomic<messaging::Relay*> relay_for_writer_{nullptr};
};

}  // namespace logistics::testing
