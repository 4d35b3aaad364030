// logistics-admin's pure parts: the table, the request bodies, the rendering
// of replies and the exit codes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "logistics/admin/admin_client.hpp"
#include "logistics/admin/admin_resource.hpp"
#include "logistics/admin/text_table.hpp"

using namespace logistics::admin;
using Json = nlohmann::ordered_json;

namespace {

const AdminResource& DeadLetters() {
  for (const AdminResource& resource : AdminResources()) {
    if (resource.name == "dead-letters") return resource;
  }
  FAIL("no dead-letters resource");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a text table aligns its columns to the widest cell and pads no line's end",
          "[admin]") {
  TextTable table({{"CONSUMER"}, {"N"}, {"ERROR"}});
  table.AddRow({"orders-payments", "12", "boom"});
  table.AddRow({"x", "3", ""});
  CHECK(table.Render() ==
        "CONSUMER         N   ERROR\n"
        "orders-payments  12  boom\n"
        "x                3\n");
}

TEST_CASE("a cell longer than its column's limit is cut with an ellipsis, counted in characters",
          "[admin]") {
  CHECK(FitCell("abcdef", 4) == "abc\xE2\x80\xA6");
  CHECK(FitCell("abcd", 4) == "abcd");
  CHECK(FitCell("\xC5\x81\xC3\xB3" "d\xC5\xBA" "x", 4) == "\xC5\x81\xC3\xB3" "d\xE2\x80\xA6");  // Łódźx
  CHECK(FitCell("line one\nline two\t!", 0) == "line one line two !");
  TextTable table({{"A", 3}, {"B"}});
  table.AddRow({"\xC5\x81\xC3\xB3" "d\xC5\xBA", "b"});
  CHECK(table.Render() == "A    B\n\xC5\x81\xC3\xB3\xE2\x80\xA6  b\n");
  CHECK(TextWidth("\xC5\x81\xC3\xB3" "d\xC5\xBA") == 4);
}

TEST_CASE("each verb's request carries the arguments it takes, and only those given", "[admin]") {
  const AdminResource& resource = DeadLetters();
  AdminArguments arguments;
  CHECK(AdminRequestBody(resource, AdminVerb::kList, arguments) == Json::object());
  arguments.fields["consumer"] = "orders-payments";
  arguments.limit = 10;
  arguments.cursor = "cjE6Mg";
  arguments.event_id = "e1";
  arguments.reason = "fixed";
  arguments.by = "ana";
  CHECK(AdminRequestBody(resource, AdminVerb::kList, arguments) ==
        Json{{"consumer", "orders-payments"}, {"limit", 10}, {"cursor", "cjE6Mg"}});
  CHECK(AdminRequestBody(resource, AdminVerb::kShow, arguments) ==
        Json{{"consumer", "orders-payments"}, {"event_id", "e1"}});
  CHECK(AdminRequestBody(resource, AdminVerb::kDiscard, arguments) ==
        Json{{"consumer", "orders-payments"}, {"event_id", "e1"}, {"by", "ana"}, {"reason", "fixed"}});
  arguments.fields.clear();
  arguments.by.clear();
  CHECK(AdminRequestBody(resource, AdminVerb::kRequeue, arguments) ==
        Json{{"event_id", "e1"}, {"reason", "fixed"}});
}

TEST_CASE("a list reply is a table of the resource's columns, with a hint when more follow",
          "[admin]") {
  const Json reply = Json::parse(R"json({"dead_letters":[
      {"consumer":"orders-payments","event_id":"e1","type":"logistics.payment.confirmed.v1",
       "subject":"s","stream_sequence":2,"deliveries":2,"error":"fault injection (LOGISTICS_FAULT)",
       "dead_lettered_at":"2026-12-07T04:53:18.006Z","requeues":1,"last_requeued_at":null},
      {"consumer":"orders-payments","event_id":"e2","type":null,"subject":"s","stream_sequence":3,
       "deliveries":5,"error":"boom","dead_lettered_at":"2026-12-07T04:53:19.000Z","requeues":0,
       "last_requeued_at":null}],"next_cursor":"cjE6Mg"})json");
  CHECK(RenderList(DeadLetters(), reply) ==
        "CONSUMER         EVENT ID  TYPE                            DELIVERIES  REQUEUES  "
        "DEAD-LETTERED AT          ERROR\n"
        "orders-payments  e1        logistics.payment.confirmed.v1  2           1         "
        "2026-12-07T04:53:18.006Z  fault injection (LOGISTICS_FAULT)\n"
        "orders-payments  e2        -                               5           0         "
        "2026-12-07T04:53:19.000Z  boom\n"
        "more: repeat with --cursor cjE6Mg\n");
  CHECK(RenderList(DeadLetters(), Json::parse(R"({"dead_letters":[],"next_cursor":null})")) ==
        "no dead letters\n");
}

TEST_CASE("an item is shown field by field, its event last and indented", "[admin]") {
  const Json reply = Json::parse(
      R"({"consumer":"orders-payments","event_id":"e1","last_requeued_at":null,"event":{"id":"e1","data":{"n":1}}})");
  CHECK(RenderItem(reply) ==
        "consumer:         orders-payments\n"
        "event_id:         e1\n"
        "last_requeued_at: -\n"
        "event:\n"
        "  {\n"
        "    \"id\": \"e1\",\n"
        "    \"data\": {\n"
        "      \"n\": 1\n"
        "    }\n"
        "  }\n");
}

TEST_CASE("a requeue or discard is one line with the outcome, who and why", "[admin]") {
  CHECK(RenderOutcome(DeadLetters(), AdminVerb::kRequeue,
                      Json::parse(R"({"consumer":"orders-payments","event_id":"e1","outcome":"applied",
                                     "requeued_at":"2026-12-07T04:54:29.048Z","by":"ana","reason":"fixed"})")) ==
        "dead letter e1 of orders-payments: requeued at 2026-12-07T04:54:29.048Z, applied by ana "
        "(reason: fixed)\n");
  CHECK(RenderOutcome(DeadLetters(), AdminVerb::kDiscard,
                      Json::parse(R"({"consumer":"c","event_id":"e2","outcome":"discarded",
                                     "discarded_at":"T","by":"bob","reason":"obsolete"})")) ==
        "dead letter e2 of c: discarded at T by bob (reason: obsolete)\n");
}

TEST_CASE("a reply's status and error come from the service's error headers and body",
          "[admin]") {
  const AdminReply ok = ReadAdminReply(R"({"dead_letters":[]})", "", "");
  CHECK(ok.status == 200);
  CHECK(ok.body["dead_letters"].empty());
  const AdminReply missing = ReadAdminReply(
      R"({"error":{"code":"DEAD_LETTER_NOT_FOUND","message":"event e1 is not a dead letter of orders","details":[]}})",
      "404", "event e1 is not ...");
  CHECK(missing.status == 404);
  CHECK(missing.code == "DEAD_LETTER_NOT_FOUND");
  CHECK(missing.message == "event e1 is not a dead letter of orders");
  CHECK(ReadAdminReply("oops", "4x4", "odd").status == 500);
}

TEST_CASE("exit codes: 0 done, 2 for a request refused as malformed, 1 for anything else",
          "[admin]") {
  CHECK(ExitCodeFor(200) == 0);
  CHECK(ExitCodeFor(400) == 2);
  for (const int status : {404, 409, 500, 503}) CHECK(ExitCodeFor(status) == 1);
}
