// OrderView: what the payments context knows about an order.
//
// Payments never reads the orders database (each service owns its own); it
// keeps a projection of the order events it consumed, and, for an order it
// has not seen yet, the answer of `orders.query.get`. Only what registering a
// payment needs is kept: the order's id, its status as the orders service
// spells it on the wire (kept as text so the payments domain does not depend
// on the orders domain, and an order status added later does not break
// consumption) and its version, which orders the views of one order: a view
// never replaces one with a greater or equal version.
//
// Thread-safety: a plain value and a pure function.
#pragma once

#include <cstdint>
#include <string>

namespace logistics::payments::domain {

struct OrderView {
  std::string order_id;
  std::string status;  // the orders wire status text, e.g. "CREATED", "CANCELLED"
  std::int64_t version = 0;

  bool operator==(const OrderView&) const = default;
};

// False when the order is CANCELLED, IN_TRANSIT or DELIVERED (SPEC §2:
// "register: the order must ... not be CANCELLED, IN_TRANSIT or DELIVERED");
// true for every other status, including PAID (a second payment of an order
// is the client's decision) and statuses this code does not know yet.
bool IsPayable(const OrderView& order);

}  // namespace logistics::payments::domain
