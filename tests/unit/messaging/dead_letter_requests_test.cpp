// The dead-letter admin endpoints' pure parts: request decoding, replies,
// errors and the row cursor.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "logistics/messaging/dead_letter_error.hpp"
#include "logistics/messaging/dead_letter_replies.hpp"
#include "logistics/messaging/dead_letter_requests.hpp"
#include "logistics/messaging/list_cursor.hpp"

using namespace logistics::messaging;
using logistics::common::FromUnixMillis;
using logistics::json::FieldProblem;
using nlohmann::json;

namespace {

StoredDeadLetter Letter(std::int64_t id, std::string payload = R"({"id":"e1","type":"logistics.payment.confirmed.v1"})") {
  StoredDeadLetter letter;
  letter.id = id;
  letter.consumer = "orders-payments";
  letter.event_id = "e" + std::to_string(id);
  letter.subject = "payments.events.p1.confirmed";
  letter.stream_sequence = 9;
  letter.deliveries = 2;
  letter.error = "fault injection (LOGISTICS_FAULT)";
  letter.payload = std::move(payload);
  letter.dead_lettered_at = FromUnixMillis(1'796'000'000'000);
  return letter;
}

}  // namespace

TEST_CASE("a dead-letter list request takes a consumer, a limit and a cursor, all optional",
          "[messaging][dead-letter]") {
  SECTION("an empty body lists every consumer's first page") {
    const auto request = DecodeDeadLetterList("");
    REQUIRE(request);
    CHECK(request->consumer.empty());
    CHECK(request->limit == kDeadLetterPageDefault);
    CHECK(request->after_id == 0);
  }
  SECTION("a cursor of this list is the row after which the page starts") {
    const auto request =
        DecodeDeadLetterList(json{{"consumer", "orders-payments"}, {"limit", 2},
                                  {"cursor", EncodeRowCursor(41)}}.dump());
    REQUIRE(request);
    CHECK(request->consumer == "orders-payments");
    CHECK(request->limit == 2);
    CHECK(request->after_id == 41);
  }
  SECTION("every problem is named at once") {
    const auto request = DecodeDeadLetterList(
        json{{"limit", 0}, {"cursor", EncodeListCursor("0193a5b2-7c1d-7e4f-8a90-123456789abc")},
             {"consumer", " "}, {"state", "open"}}.dump());
    REQUIRE_FALSE(request);
    CHECK(request.error().code == "VALIDATION_FAILED");
    std::vector<std::string> fields;
    for (const FieldProblem& problem : request.error().details) fields.push_back(problem.field);
    CHECK(fields == std::vector<std::string>{"consumer", "limit", "cursor", "state"});
  }
}

TEST_CASE("show, requeue and discard name the dead letter by its event id",
          "[messaging][dead-letter]") {
  const auto shown = DecodeDeadLetterShow(R"({"event_id":"e1"})");
  REQUIRE(shown);
  CHECK(shown->event_id == "e1");
  CHECK(shown->consumer.empty());

  const auto missing = DecodeDeadLetterShow(R"({"consumer":"orders-payments"})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().details == std::vector<FieldProblem>{{"event_id", "is required"}});

  const auto requeue = DecodeDeadLetterRequeue(R"({"event_id":"e1","consumer":"orders-payments"})");
  REQUIRE(requeue);
  CHECK(requeue->ref.consumer == "orders-payments");
  CHECK(requeue->actor.by.empty());  // who and why are optional for a requeue
  CHECK(requeue->actor.reason.empty());

  CHECK_FALSE(DecodeDeadLetterShow("[1]"));
  CHECK(DecodeDeadLetterShow("{").error().code == "INVALID_JSON");
}

TEST_CASE("a discard must say who and why", "[messaging][dead-letter]") {
  const auto discard =
      DecodeDeadLetterDiscard(R"({"event_id":"e1","reason":"duplicate order","by":"ana"})");
  REQUIRE(discard);
  CHECK(discard->actor.by == "ana");
  CHECK(discard->actor.reason == "duplicate order");

  const auto anonymous = DecodeDeadLetterDiscard(R"({"event_id":"e1","reason":"  "})");
  REQUIRE_FALSE(anonymous);
  CHECK(anonymous.error().details ==
        std::vector<FieldProblem>{{"reason", "must not be blank"}, {"by", "is required"}});

  const auto long_reason =
      DecodeDeadLetterDiscard(json{{"event_id", "e1"}, {"by", "ana"}, {"reason", std::string(501, 'x')}}.dump());
  REQUIRE_FALSE(long_reason);
  CHECK(long_reason.error().details.at(0).field == "reason");
}

TEST_CASE("a row cursor decodes only what it encoded", "[messaging][dead-letter]") {
  CHECK(DecodeRowCursor(EncodeRowCursor(1)) == 1);
  CHECK(DecodeRowCursor(EncodeRowCursor(9'000'000'000)) == 9'000'000'000);
  CHECK_FALSE(DecodeRowCursor(EncodeListCursor("0193a5b2-7c1d-7e4f-8a90-123456789abc")));
  CHECK_FALSE(DecodeRowCursor(""));
  CHECK_FALSE(DecodeRowCursor("cjE6MA"));  // "r1:0"
  CHECK_FALSE(DecodeRowCursor("not a cursor!"));
}

TEST_CASE("a page of dead letters says whether another follows", "[messaging][dead-letter]") {
  const json full = json::parse(DeadLetterPageReply({Letter(1), Letter(2), Letter(3)}, 2));
  REQUIRE(full["dead_letters"].size() == 2);
  CHECK(full["next_cursor"] == EncodeRowCursor(2));
  const json item = full["dead_letters"][0];
  CHECK(item["consumer"] == "orders-payments");
  CHECK(item["event_id"] == "e1");
  CHECK(item["type"] == "logistics.payment.confirmed.v1");
  CHECK(item["deliveries"] == 2);
  CHECK(item["requeues"] == 0);
  CHECK(item["last_requeued_at"].is_null());
  CHECK(item["dead_lettered_at"] == "2026-11-30T00:53:20.000Z");
  CHECK_FALSE(item.contains("event"));  // the list leaves the payloads out

  const json last = json::parse(DeadLetterPageReply({Letter(1)}, 2));
  CHECK(last["next_cursor"].is_null());
  CHECK(json::parse(DeadLetterPageReply({}, 50))["dead_letters"].empty());
}

TEST_CASE("show gives the stored event as JSON, or the payload as text when it is none",
          "[messaging][dead-letter]") {
  const json shown = json::parse(DeadLetterShowReply(Letter(1)));
  CHECK(shown["event"]["type"] == "logistics.payment.confirmed.v1");
  CHECK_FALSE(shown.contains("payload"));
  const json junk = json::parse(DeadLetterShowReply(Letter(2, "not json")));
  CHECK(junk["event"].is_null());
  CHECK(junk["type"].is_null());
  CHECK(junk["payload"] == "not json");
}

TEST_CASE("a resolved dead letter's reply says the outcome, when, who and why",
          "[messaging][dead-letter]") {
  const json requeued = json::parse(DeadLetterResolvedReply(
      Letter(1), DeadLetterOutcome::kApplied, {"ana", "fixed"}, FromUnixMillis(1'796'000'000'001)));
  CHECK(requeued == json{{"consumer", "orders-payments"}, {"event_id", "e1"}, {"outcome", "applied"},
                         {"requeued_at", "2026-11-30T00:53:20.001Z"}, {"by", "ana"},
                         {"reason", "fixed"}});
  const json discarded = json::parse(
      DeadLetterResolvedReply(Letter(1), DeadLetterOutcome::kDiscarded, {"bob", "obsolete"}, {}));
  CHECK(discarded["outcome"] == "discarded");
  CHECK(discarded.contains("discarded_at"));
}

TEST_CASE("dead-letter errors have stable codes and say what happened to a resolved one",
          "[messaging][dead-letter]") {
  const ErrorReply unknown =
      DeadLetterErrorReply(ConsumerNotFound("orders", "nope", "orders-payments"));
  CHECK(unknown.status == 404);
  CHECK(unknown.code == "CONSUMER_NOT_FOUND");
  CHECK(unknown.message == "orders has no consumer nope; its consumers: orders-payments");
  CHECK(unknown.details.at(0).field == "consumer");

  const ErrorReply never = DeadLetterErrorReply(DeadLetterNotFound("orders", "", "e9", std::nullopt));
  CHECK(never.status == 404);
  CHECK(never.code == "DEAD_LETTER_NOT_FOUND");
  CHECK(never.message == "event e9 is not a dead letter of orders");

  DeadLetterResolution resolution;
  resolution.consumer = "orders-payments";
  resolution.outcome = DeadLetterOutcome::kApplied;
  resolution.actor = {"ana", "bug fixed"};
  resolution.resolved_at = FromUnixMillis(1'796'000'000'000);
  const ErrorReply resolved =
      DeadLetterErrorReply(DeadLetterNotFound("orders", "", "e1", resolution));
  CHECK(resolved.message ==
        "event e1 is no longer a dead letter of orders-payments: requeued and applied at "
        "2026-11-30T00:53:20.000Z by ana (reason: bug fixed)");

  const ErrorReply failed =
      DeadLetterErrorReply({DeadLetterErrorCode::kRequeueFailed, "failed again"});
  CHECK(failed.status == 409);
  CHECK(failed.code == "REQUEUE_FAILED");
  CHECK(DeadLetterErrorReply({DeadLetterErrorCode::kConsumerRequired, "which?"}).code ==
        "CONSUMER_REQUIRED");
}
