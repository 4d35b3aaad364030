// An operator's requeue of a dead letter (EventConsumer::Requeue) against a
// real nats-server and a real SQLite file: the stored event runs through the
// consumer's handler once, through the inbox, and the outcome is recorded.
// The `applied` table counts the handler's effects.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "infrastructure/messaging/consumer_rig.hpp"
#include "infrastructure/scratch_dir.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"

using logistics::messaging::RequeueOutcome;
using logistics::testing::ConsumerRig;
using logistics::testing::CreateConsumerTestStream;
using logistics::testing::Eventually;
using logistics::testing::NatsClient;
using logistics::testing::NatsServer;
using logistics::testing::PublishTestEvent;
using logistics::testing::ScratchDir;
using Kind = logistics::messaging::RequeueOutcome::Kind;

namespace {

std::vector<std::string> Strings(std::initializer_list<const char*> items) {
  return {items.begin(), items.end()};
}

}  // namespace

SCENARIO("a dead letter requeued runs through its consumer's handler once, through the inbox",
         "[messaging][consumer][dead-letter][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateConsumerTestStream(client);
  ConsumerRig rig(server, dir);
  GIVEN("an event dead-lettered because its handler kept failing, between two that went through") {
    PublishTestEvent(client, "e1");
    PublishTestEvent(client, "bad", "", "poison");
    PublishTestEvent(client, "e2");
    rig.StartConsumer();
    REQUIRE(Eventually([&] { return rig.consumer().Stats().dead_letters == 1; }));
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 2; }));
    const auto letter = rig.DeadLetter("bad");

    WHEN("it is requeued while the handler still fails") {
      const RequeueOutcome outcome = rig.Requeue(letter);
      THEN("it failed again, stays a dead letter with the new error, and nothing was applied") {
        CHECK(outcome.kind == Kind::kFailedAgain);
        CHECK(outcome.error == "poisoned");
        CHECK(rig.Query("SELECT requeues || ' ' || error || ' ' || (last_requeued_at IS NOT NULL)"
                        " FROM dead_letters") == "1 poisoned 1");
        CHECK(rig.Applied() == Strings({"e1", "e2"}));
        CHECK(rig.Query("SELECT dead_lettered FROM inbox WHERE event_id = 'bad'") == "1");
        CHECK(rig.Query("SELECT count(*) FROM dead_letter_resolutions") == "0");
      }
    }

    WHEN("the handler is fixed and it is requeued") {
      rig.PoisonFails(false);
      const RequeueOutcome outcome = rig.Requeue(letter, {"ana", "bug 42 fixed"});
      THEN("its effect happens once, the inbox records it and the resolution says who and why") {
        CHECK(outcome.kind == Kind::kApplied);
        CHECK(rig.Applied() == Strings({"e1", "e2", "bad"}));
        CHECK(rig.Query("SELECT count(*) FROM dead_letters") == "0");
        CHECK(rig.Query("SELECT dead_lettered FROM inbox WHERE event_id = 'bad'") == "0");
        CHECK(rig.Query("SELECT outcome || '|' || resolved_by || '|' || reason || '|' || last_error"
                        " FROM dead_letter_resolutions WHERE event_id = 'bad'") ==
              "applied|ana|bug 42 fixed|poisoned");
      }
      AND_WHEN("it is requeued again") {
        const RequeueOutcome again = rig.Requeue(letter);
        THEN("it is no dead letter any more and nothing changes") {
          CHECK(again.kind == Kind::kNotADeadLetter);
          CHECK(rig.Applied() == Strings({"e1", "e2", "bad"}));
          CHECK(rig.Query("SELECT count(*) FROM dead_letter_resolutions") == "1");
        }
      }
      AND_WHEN("the event is delivered again (a replay under another Nats-Msg-Id)") {
        PublishTestEvent(client, "bad", "a-copy-of-bad", "poison");
        THEN("the inbox skips it: no second effect") {
          REQUIRE(Eventually([&] { return rig.consumer().Stats().duplicates == 1; }));
          CHECK(rig.Applied() == Strings({"e1", "e2", "bad"}));
        }
      }
    }

    WHEN("its inbox mark expired, a replay applied it, and then it is requeued") {
      rig.PoisonFails(false);
      // What the inbox retention does to a dead letter older than it.
      rig.Execute("DELETE FROM inbox WHERE event_id = 'bad'");
      PublishTestEvent(client, "bad", "a-replay-of-bad", "poison");
      REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 3; }));
      REQUIRE(rig.Applied() == Strings({"e1", "e2", "bad"}));
      const RequeueOutcome outcome = rig.Requeue(letter);
      THEN("the inbox check finds it processed: the handler does not run again") {
        CHECK(outcome.kind == Kind::kAlreadyProcessed);
        CHECK(rig.Applied() == Strings({"e1", "e2", "bad"}));
        CHECK(rig.Query("SELECT count(*) FROM dead_letters") == "0");
        CHECK(rig.Query("SELECT outcome FROM dead_letter_resolutions") == "already_processed");
      }
    }
  }
}

TEST_CASE("a requeued event that is no CloudEvent fails again with the reason",
          "[messaging][consumer][dead-letter][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateConsumerTestStream(client);
  ConsumerRig rig(server, dir);
  REQUIRE(client.PublishToStream("consumertest.junk", "not json", {{"Nats-Msg-Id", "junk-1"}}));
  rig.StartConsumer();
  REQUIRE(Eventually([&] { return rig.consumer().Stats().dead_letters == 1; }));
  const RequeueOutcome outcome = rig.Requeue(rig.DeadLetter("junk-1"));
  CHECK(outcome.kind == Kind::kFailedAgain);
  CHECK_THAT(outcome.error, Catch::Contains("not a CloudEvent"));
  CHECK(rig.Applied().empty());
  CHECK(rig.Query("SELECT requeues FROM dead_letters WHERE event_id = 'junk-1'") == "1");
}
