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

#include <optional>
#include <string>
#include <string_view>

#include "logistics/aggregate_service/application/keyset_page.hpp"
#include "logistics/orders/application/order_failure.hpp"
#include "logistics/orders/domain/order.hpp"

namespace logistics::orders::application {

// Filters of a list of orders, and the page asked for (newest first).
struct OrderListQuery : aggregate_service::KeysetPosition {
  std::optional<domain::OrderStatus> status;
  std::optional<std::string> customer_name;  // exact match
};

using OrderPage = aggregate_service::KeysetPage<domain::OrderSnapshot>;

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
