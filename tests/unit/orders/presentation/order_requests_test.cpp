#include <catch2/catch.hpp>

#include "logistics/messaging/list_cursor.hpp"
#include "logistics/orders/presentation/order_requests.hpp"

using namespace logistics::orders::presentation;
namespace messaging = logistics::messaging;
using logistics::json::FieldProblem;

namespace {
constexpr std::size_t kMax = 64 * 1024;
constexpr const char* kId = "0193a5b2-7c1d-7e4f-8a90-123456789abc";
}  // namespace

TEST_CASE("a create body with every field decodes into a new order", "[orders][presentation]") {
  auto decoded = DecodeCreateOrder(
      R"({"tracking_number":"TRK-1","customer_name":"Ana","origin":"Madrid",)"
      R"("destination":"Lisbon","customer_email":"ana@example.com"})",
      kMax);
  REQUIRE(decoded);
  CHECK(decoded->tracking_number == "TRK-1");
  CHECK(decoded->customer_email == "ana@example.com");
}

TEST_CASE("a create body names each missing, mistyped and unknown field", "[orders][presentation]") {
  auto decoded = DecodeCreateOrder(R"({"tracking_number":7,"origin":"A","destination":"B","x":1})",
                                   kMax);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == "VALIDATION_FAILED");
  const std::vector<FieldProblem> expected{{"tracking_number", "must be a string"},
                                           {"customer_name", "is required"},
                                           {"x", "is not allowed"}};
  CHECK(decoded.error().details == expected);
}

TEST_CASE("an order id must be a UUID", "[orders][presentation]") {
  auto decoded = DecodeOrderId(R"({"order_id":"42"})", kMax);
  REQUIRE_FALSE(decoded);
  REQUIRE(decoded.error().details.size() == 1);
  CHECK(decoded.error().details[0].field == "order_id");
}

TEST_CASE("get takes exactly one of order id and tracking number", "[orders][presentation]") {
  CHECK(DecodeGetOrder(std::string(R"({"order_id":")") + kId + "\"}", kMax));
  CHECK(DecodeGetOrder(R"({"tracking_number":"TRK-1"})", kMax));
  CHECK_FALSE(DecodeGetOrder("{}", kMax));
  CHECK_FALSE(DecodeGetOrder(std::string(R"({"tracking_number":"T","order_id":")") + kId + "\"}",
                             kMax));
}

TEST_CASE("list defaults to 50 with no filters and checks each filter", "[orders][presentation]") {
  auto everything = DecodeListOrders("", kMax);
  REQUIRE(everything);
  CHECK(everything->query.limit == 50);
  CHECK_FALSE(everything->query.status);

  auto filtered = DecodeListOrders(R"({"status":"PAID","customer_name":"Ana","limit":500})", kMax);
  REQUIRE(filtered);
  CHECK(filtered->query.limit == 500);
  CHECK(filtered->query.customer_name == "Ana");

  auto bad = DecodeListOrders(R"({"status":"paid","limit":501,"cursor":"zzz"})", kMax);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().details.size() == 3);
}

TEST_CASE("a list cursor round-trips and rejects anything else", "[orders][presentation]") {
  const auto cursor = messaging::EncodeListCursor(kId);
  CHECK(messaging::DecodeListCursor(cursor) == kId);
  CHECK_FALSE(messaging::DecodeListCursor("not a cursor!"));
  CHECK_FALSE(messaging::DecodeListCursor(""));
  CHECK_FALSE(messaging::DecodeListCursor(messaging::EncodeListCursor("not-a-uuid")));
}

TEST_CASE("a create body names every broken rule at once, shape and content alike",
          "[orders][presentation]") {
  auto decoded = DecodeCreateOrder(std::string(R"({"tracking_number":")") + std::string(101, 'T') +
                                       R"(","customer_name":"  ","origin":7,"destination":"B",)"
                                       R"("customer_email":"no-at-sign"})",
                                   kMax);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == "VALIDATION_FAILED");
  std::vector<std::string> fields;
  for (const auto& problem : decoded.error().details) fields.push_back(problem.field);
  const std::vector<std::string> expected{"origin", "tracking_number", "customer_name",
                                          "customer_email"};
  CHECK(fields == expected);
}

TEST_CASE("a single broken domain rule keeps its specific code", "[orders][presentation]") {
  auto decoded = DecodeCreateOrder(
      R"({"tracking_number":"T","customer_name":"Ana","origin":"Porto","destination":"porto"})", kMax);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == "SAME_ORIGIN_AND_DESTINATION");
  REQUIRE(decoded.error().details.size() == 1);
  CHECK(decoded.error().details[0].field == "destination");
}

TEST_CASE("a malformed order id in a get is named once, as malformed, not also as missing",
          "[orders][presentation]") {
  auto decoded = DecodeGetOrder(R"({"order_id":"42"})", kMax);
  REQUIRE_FALSE(decoded);
  REQUIRE(decoded.error().details.size() == 1);
  CHECK(decoded.error().details[0].field == "order_id");
  CHECK_THAT(decoded.error().details[0].reason, Catch::StartsWith("must be a UUID"));
  CHECK_THAT(decoded.error().message, !Catch::Contains("is required"));
}

TEST_CASE("an empty tracking number next to another problem is worded without repeating its field",
          "[orders][presentation]") {
  auto decoded = DecodeCreateOrder(R"({"tracking_number":" ","origin":"A","destination":"B"})", kMax);
  REQUIRE_FALSE(decoded);
  CHECK_THAT(decoded.error().message, Catch::Contains("tracking_number must not be empty or blank"));
  CHECK_THAT(decoded.error().message, !Catch::Contains("tracking_number tracking_number"));
}
