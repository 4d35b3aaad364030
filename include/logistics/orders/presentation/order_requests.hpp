// Decoding of the orders request bodies (SPEC §2), strictly.
//
// Each decoder checks the body's shape: a JSON object, the required fields
// present, every field of the right JSON type, ids well-formed, no unknown
// field. Every problem is reported at once, naming its field. Content rules
// (lengths, origin != destination, ...) belong to the domain and are checked
// there, so they hold whatever the transport.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/orders/application/order_queries.hpp"
#include "logistics/orders/domain/order.hpp"

namespace logistics::orders::presentation {

template <typename T>
using Decoded = common::Result<T, json::BodyError>;

struct AssignDriverRequest {
  std::string order_id;
  std::string driver_id;
};
struct OrderIdRequest {  // dispatch, deliver
  std::string order_id;
};
struct CancelOrderRequest {
  std::string order_id;
  std::optional<std::string> reason;
};
struct ListOrdersRequest {
  application::OrderListQuery query;
};

Decoded<domain::NewOrder> DecodeCreateOrder(std::string_view body, std::size_t max_bytes);
Decoded<AssignDriverRequest> DecodeAssignDriver(std::string_view body, std::size_t max_bytes);
Decoded<OrderIdRequest> DecodeOrderId(std::string_view body, std::size_t max_bytes);
Decoded<CancelOrderRequest> DecodeCancelOrder(std::string_view body, std::size_t max_bytes);
// Exactly one of order_id and tracking_number.
Decoded<application::OrderLookup> DecodeGetOrder(std::string_view body, std::size_t max_bytes);
// status (a status name), customer_name, limit (1..500, default 50), cursor
// (from a previous page's next_cursor). An empty body means "no filters".
Decoded<ListOrdersRequest> DecodeListOrders(std::string_view body, std::size_t max_bytes);

}  // namespace logistics::orders::presentation
