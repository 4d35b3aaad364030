#include "logistics/orders/domain/order_event.hpp"

#include <cstdlib>

namespace logistics::orders::domain {

std::string_view EventName(OrderEventType type) {
  switch (type) {
    case OrderEventType::kCreated:
      return "created";
    case OrderEventType::kAssigned:
      return "assigned";
    case OrderEventType::kPaid:
      return "paid";
    case OrderEventType::kDispatched:
      return "dispatched";
    case OrderEventType::kDelivered:
      return "delivered";
    case OrderEventType::kCancelled:
      return "cancelled";
  }
  // Only a value cast from outside the enumerators gets here: a bug, not input.
  std::abort();
}

}  // namespace logistics::orders::domain
