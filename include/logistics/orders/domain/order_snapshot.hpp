// OrderSnapshot: every field of an order at one version, as plain data.
//
// It is what repositories store and load, what events carry as their data, and
// what replies show. It holds no rules: only Order (order.hpp) changes one.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "logistics/common/time.hpp"
#include "logistics/orders/domain/order_status.hpp"

namespace logistics::orders::domain {

struct OrderSnapshot {
  std::string order_id;  // UUIDv7, assigned at creation
  std::string tracking_number;
  std::string customer_name;
  std::optional<std::string> customer_email;
  std::string origin;
  std::string destination;
  OrderStatus status = OrderStatus::kCreated;
  std::optional<std::string> driver_id;
  std::optional<std::string> cancellation_reason;
  common::Timestamp created_at;
  common::Timestamp updated_at;
  std::int64_t version = 0;  // 1 at creation, +1 for every change

  bool operator==(const OrderSnapshot&) const = default;
};

}  // namespace logistics::orders::domain
