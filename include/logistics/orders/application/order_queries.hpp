// The orders queries: read-only use cases over OrderRepository.
//
// Queries never change state and never go through the writer; they run on a
// read-only connection straight from the transport's thread.
//
// Ownership: queries hold a reference to their repository.
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <string>
#include <variant>

#include "logistics/orders/application/ports/order_repository.hpp"

namespace logistics::orders::application {

struct ByOrderId {
  std::string order_id;
};
struct ByTrackingNumber {
  std::string tracking_number;
};
using OrderLookup = std::variant<ByOrderId, ByTrackingNumber>;

class GetOrder {
 public:
  explicit GetOrder(OrderRepository& orders) : orders_(orders) {}
  // The order, or kOrderNotFound, or PortError.
  OrderResult<domain::OrderSnapshot> Execute(const OrderLookup& lookup);

 private:
  OrderRepository& orders_;
};

class ListOrders {
 public:
  explicit ListOrders(OrderRepository& orders) : orders_(orders) {}
  // One page of orders, newest first. Precondition: 1 <= query.limit <= 500
  // (the transport validates it). Fails only with PortError.
  OrderResult<OrderPage> Execute(const OrderListQuery& query);

 private:
  OrderRepository& orders_;
};

}  // namespace logistics::orders::application
