#include "logistics/orders/presentation/order_requests.hpp"



#include "logistics/json/request_verdict.hpp"
#include "logistics/messaging/list_cursor.hpp"

namespace logistics::orders::presentation {
namespace {

using json::BodyReader;

constexpr std::int64_t kMaxListLimit = 500;
constexpr std::int64_t kDefaultListLimit = 50;

std::optional<std::string> ReadOrderId(BodyReader& body, bool required = true) {
  return required ? body.RequiredUuid("order_id") : body.OptionalUuid("order_id");
}

json::BrokenRule Broken(const domain::OrderRejection& rejection) {
  return json::BrokenRule{std::string(domain::Field(rejection.error)),
                          std::string(domain::Code(rejection.error)), rejection.message};
}

// The verdict on the body: its shape problems and the given broken rules.
template <typename T>
Decoded<T> Finish(BodyReader& body, T value,
                  std::initializer_list<std::optional<domain::OrderRejection>> rules = {}) {
  std::vector<json::BrokenRule> broken;
  for (const auto& rule : rules) {
    if (rule) broken.push_back(Broken(*rule));
  }
  if (auto verdict = json::RequestVerdict(body.Finish(), broken); !verdict) {
    return common::Unexpected{verdict.error()};
  }
  return value;
}

}  // namespace

Decoded<domain::NewOrder> DecodeCreateOrder(std::string_view body_text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(body_text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  domain::NewOrder order;
  auto tracking = body->RequiredString("tracking_number");
  auto customer = body->RequiredString("customer_name");
  auto origin = body->RequiredString("origin");
  auto destination = body->RequiredString("destination");
  order.customer_email = body->OptionalString("customer_email");
  if (tracking) order.tracking_number = std::move(*tracking);
  if (customer) order.customer_name = std::move(*customer);
  if (origin) order.origin = std::move(*origin);
  if (destination) order.destination = std::move(*destination);

  // Name every offending field at once: the shape problems, then the domain's
  // rules for the fields that were well-formed.
  std::vector<json::BrokenRule> broken;
  for (const auto& rejection : domain::CheckNewOrder(order)) broken.push_back(Broken(rejection));
  if (auto verdict = json::RequestVerdict(body->Finish(), broken); !verdict) {
    return common::Unexpected{verdict.error()};
  }
  return order;
}

Decoded<AssignDriverRequest> DecodeAssignDriver(std::string_view body_text,
                                                std::size_t max_bytes) {
  auto body = BodyReader::Parse(body_text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  AssignDriverRequest request;
  auto id = ReadOrderId(*body);
  auto driver = body->RequiredString("driver_id");
  if (id) request.order_id = std::move(*id);
  if (driver) request.driver_id = std::move(*driver);
  const auto rule = driver ? domain::CheckDriverId(request.driver_id) : std::nullopt;
  return Finish(*body, std::move(request), {rule});
}

Decoded<OrderIdRequest> DecodeOrderId(std::string_view body_text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(body_text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  OrderIdRequest request;
  if (auto id = ReadOrderId(*body)) request.order_id = std::move(*id);
  return Finish(*body, std::move(request));
}

Decoded<CancelOrderRequest> DecodeCancelOrder(std::string_view body_text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(body_text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  CancelOrderRequest request;
  if (auto id = ReadOrderId(*body)) request.order_id = std::move(*id);
  request.reason = body->OptionalString("reason");
  const auto rule = domain::CheckCancellationReason(request.reason);
  return Finish(*body, std::move(request), {rule});
}

Decoded<application::OrderLookup> DecodeGetOrder(std::string_view body_text,
                                                 std::size_t max_bytes) {
  auto body = BodyReader::Parse(body_text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  auto id = ReadOrderId(*body, /*required=*/false);
  auto tracking = body->OptionalString("tracking_number");
  application::OrderLookup lookup = application::ByOrderId{};
  if (id && tracking) {
    body->AddProblem("tracking_number", "must not be given together with order_id");
  } else if (id) {
    lookup = application::ByOrderId{std::move(*id)};
  } else if (tracking) {
    lookup = application::ByTrackingNumber{std::move(*tracking)};
  } else if (!body->HasProblemWith("order_id")) {
    // A malformed order_id was already named ("must be a UUID ..."); calling
    // it missing as well would contradict what the client sent.
    body->AddProblem("order_id", "is required (or give tracking_number)");
  }
  return Finish(*body, std::move(lookup));
}

Decoded<ListOrdersRequest> DecodeListOrders(std::string_view body_text, std::size_t max_bytes) {
  // `nats req orders.query.list ''` is the natural way to ask for everything.
  if (body_text.find_first_not_of(" \t\r\n") == std::string_view::npos) body_text = "{}";
  auto body = BodyReader::Parse(body_text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  ListOrdersRequest request;
  if (auto status = body->OptionalString("status")) {
    request.query.status = domain::ParseOrderStatus(*status);
    if (!request.query.status) {
      body->AddProblem("status",
                       "must be one of CREATED, ASSIGNED, PAID, IN_TRANSIT, DELIVERED, CANCELLED");
    }
  }
  request.query.customer_name = body->OptionalString("customer_name");
  request.query.limit = static_cast<std::size_t>(
      body->OptionalInteger("limit", 1, kMaxListLimit).value_or(kDefaultListLimit));
  if (auto cursor = body->OptionalString("cursor")) {
    request.query.before = messaging::DecodeListCursor(*cursor);
    if (!request.query.before) {
      body->AddProblem("cursor", "is not a cursor returned by orders.query.list");
    }
  }
  return Finish(*body, std::move(request));
}

}  // namespace logistics::orders::presentation
