#include "logistics/orders/domain/order_status.hpp"

#include <cstdlib>

namespace logistics::orders::domain {

std::string_view ToString(OrderStatus status) {
  switch (status) {
    case OrderStatus::kCreated:
      return "CREATED";
    case OrderStatus::kAssigned:
      return "ASSIGNED";
    case OrderStatus::kPaid:
      return "PAID";
    case OrderStatus::kInTransit:
      return "IN_TRANSIT";
    case OrderStatus::kDelivered:
      return "DELIVERED";
    case OrderStatus::kCancelled:
      return "CANCELLED";
  }
  // Only a value cast from outside the enumerators gets here: a bug, not input.
  std::abort();
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
  // Derived from ToString so the two directions cannot drift apart.
  for (const OrderStatus status : kAllOrderStatuses) {
    if (ToString(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace logistics::orders::domain
