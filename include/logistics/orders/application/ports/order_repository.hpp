// OrderRepository: the port through which use cases read orders.
//
// Implementations: SqliteOrderRepository (infrastructure), reading through the
// writer's connection inside a command's transaction or through a read-only
// connection for queries; InMemoryOrderRepository (tests/support).
//
// Every method fails only with a PortError (storage failure); "not found" is an
// empty optional, not a failure.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/orders/application/order_failure.hpp"
#include "logistics/orders/domain/order.hpp"

namespace logistics::orders::application {

// Filters and keyset position for listing orders, newest first.
struct OrderListQuery {
  std::optional<domain::OrderStatus> status;
  std::optional<std::string> customer_name;  // exact match
  std::size_t limit = 50;                    // 1..500, checked by the caller
  std::optional<std::string> before_order_id;  // keyset: only ids < this one
};

struct OrderPage {
  std::vector<domain::OrderSnapshot> orders;  // newest (largest order_id) first
  bool has_more = false;  // true when orders after the last one match too
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;

  virtual OrderResult<std::optional<domain::Order>> FindById(std::string_view order_id) = 0;
  virtual OrderResult<std::optional<domain::Order>> FindByTrackingNumber(
      std::string_view tracking_number) = 0;
  // Orders matching the query, at most query.limit of them, newest first.
  virtual OrderResult<OrderPage> List(const OrderListQuery& query) = 0;
};

}  // namespace logistics::orders::application
