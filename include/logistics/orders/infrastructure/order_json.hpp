// How an order looks on the wire: in replies and in event data alike.
//
//   {"order_id","tracking_number","customer_name","customer_email"|null,
//    "origin","destination","status","driver_id"|null,
//    "cancellation_reason"|null,"created_at","updated_at","version"}
//
// Times are RFC 3339 UTC with milliseconds. The schema is
// schemas/orders/order.json.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "logistics/orders/domain/order_snapshot.hpp"

namespace logistics::orders::infrastructure {

nlohmann::ordered_json OrderToJson(const domain::OrderSnapshot& order);

}  // namespace logistics::orders::infrastructure
