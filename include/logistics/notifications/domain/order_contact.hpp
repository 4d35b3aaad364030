// OrderContact: what the notifications context keeps about an order so it can
// write to its customer.
//
// Notifications never reads the orders database; it keeps a projection of
// the order events it consumed. Each event carries the full order, so the
// contact is the order's fields a mail needs: who (customer name and e-mail,
// which orders allows to be absent), what (tracking number) and where (origin
// and destination). The status is kept as the orders service spells it on the
// wire ("CREATED", "IN_TRANSIT", ...), as text, so this domain does not depend
// on the orders domain and a status added later does not break consumption.
// `version` is the order's aggregateversion: a contact never replaces one with
// a greater or equal version.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace logistics::notifications::domain {

struct OrderContact {
  std::string order_id;
  std::string tracking_number;
  std::string customer_name;
  std::optional<std::string> customer_email;  // nullopt: the order has no address
  std::string origin;
  std::string destination;
  std::string status;  // the orders wire status text
  std::int64_t version = 0;

  bool operator==(const OrderContact&) const = default;
};

}  // namespace logistics::notifications::domain
