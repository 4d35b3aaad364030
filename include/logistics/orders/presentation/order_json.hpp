// How an order looks on the wire: in replies and in event data alike.
//
//   {"order_id","tracking_number","customer_name","customer_email"|null,
//    "origin","destination","status","driver_id"|null,
//    "cancellation_reason"|null,"created_at","updated_at","version"}
//
// Times are RFC 3339 UTC with milliseconds. The schema is
// schemas/orders/order.json. It is presentation (the shape clients read);
// the event mapping in infrastructure (order_cloud_events.hpp) writes the same
// members into an event's data, so replies and events cannot drift apart.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "logistics/json/object_writer.hpp"
#include "logistics/orders/domain/order_snapshot.hpp"

namespace logistics::orders::presentation {

// The order's members, into an object the caller opened (event data adds its
// own members after them).
void WriteOrderMembers(json::ObjectWriter& object, const domain::OrderSnapshot& order);
// The order as one JSON object.
std::string OrderJson(const domain::OrderSnapshot& order);

}  // namespace logistics::orders::presentation
