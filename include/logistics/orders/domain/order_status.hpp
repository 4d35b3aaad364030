// OrderStatus: where an order is in its life, and its wire names.
//
// Thread-safety: pure values and functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace logistics::orders::domain {

enum class OrderStatus { kCreated, kAssigned, kPaid, kInTransit, kDelivered, kCancelled };

inline constexpr std::array<OrderStatus, 6> kAllOrderStatuses = {
    OrderStatus::kCreated,   OrderStatus::kAssigned,  OrderStatus::kPaid,
    OrderStatus::kInTransit, OrderStatus::kDelivered, OrderStatus::kCancelled};

// "CREATED", "ASSIGNED", "PAID", "IN_TRANSIT", "DELIVERED", "CANCELLED".
std::string_view ToString(OrderStatus status);

// The inverse of ToString; nullopt for any other text (case-sensitive).
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);

}  // namespace logistics::orders::domain
