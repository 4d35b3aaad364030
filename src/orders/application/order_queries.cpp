#include "logistics/orders/application/order_queries.hpp"

namespace logistics::orders::application {
namespace {

// Overload set for std::visit over OrderLookup.
template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

OrderResult<domain::OrderSnapshot> GetOrder::Execute(const OrderLookup& lookup) {
  auto found =
      std::visit(Overloaded{[&](const ByOrderId& by) { return orders_.FindById(by.order_id); },
                            [&](const ByTrackingNumber& by) {
                              return orders_.FindByTrackingNumber(by.tracking_number);
                            }},
                 lookup);
  if (!found) return common::Unexpected<OrderFailure>{found.error()};
  if (!*found) {
    const std::string message = std::visit(
        Overloaded{[](const ByOrderId& by) { return "order " + by.order_id + " not found"; },
                   [](const ByTrackingNumber& by) {
                     return "no order has tracking_number '" + by.tracking_number + "'";
                   }},
        lookup);
    return Rejected(domain::Reject(domain::OrderError::kOrderNotFound, message));
  }
  return (*found)->snapshot();
}

OrderResult<OrderPage> ListOrders::Execute(const OrderListQuery& query) {
  return orders_.List(query);
}

}  // namespace logistics::orders::application
