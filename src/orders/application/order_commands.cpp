#include "logistics/orders/application/order_commands.hpp"

#include <utility>

namespace logistics::orders::application {
namespace {

using domain::Order;
using domain::OrderError;
using domain::OrderSnapshot;

using aggregate_service::Propagate;

// Loads the order, lets `change` apply one aggregate command, and saves the
// change with its events. Every command but CreateOrder has this shape.
template <typename Change>
OrderResult<OrderSnapshot> ChangeOrder(const OrderCommandPorts& ports, const std::string& order_id,
                                       Change change) {
  auto found = ports.orders.FindById(order_id);
  if (!found) return Propagate(found.error());
  if (!*found) {
    return Rejected(domain::Reject(OrderError::kOrderNotFound, "order " + order_id + " not found"));
  }
  Order order = std::move(**found);
  if (auto changed = change(order, ports.clock.Now()); !changed) {
    return Rejected(changed.error());
  }
  const auto events = order.TakeEvents();
  if (auto saved = ports.unit_of_work.Save(order, events); !saved) return Propagate(saved.error());
  return order.snapshot();
}

}  // namespace

OrderResult<OrderSnapshot> CreateOrder::Execute(domain::NewOrder fields) {
  // Validate before any read, so a bad request never touches storage.
  auto created = Order::Create(ids_.NextId(), std::move(fields), ports_.clock.Now());
  if (!created) return Rejected(created.error());
  Order& order = *created;

  // Checked here for a precise message; the unit of work enforces uniqueness
  // again at write time, which is what closes the race between two creates.
  const std::string& tracking_number = order.snapshot().tracking_number;
  auto existing = ports_.orders.FindByTrackingNumber(tracking_number);
  if (!existing) return Propagate(existing.error());
  if (*existing) {
    return Rejected(
        domain::Reject(OrderError::kDuplicateTrackingNumber,
                       "an order with tracking_number '" + tracking_number + "' already exists"));
  }

  const auto events = order.TakeEvents();
  if (auto saved = ports_.unit_of_work.Save(order, events); !saved) {
    return Propagate(saved.error());
  }
  return order.snapshot();
}

OrderResult<OrderSnapshot> AssignDriver::Execute(const std::string& order_id,
                                                 std::string driver_id) {
  return ChangeOrder(ports_, order_id, [&](Order& order, common::Timestamp now) {
    return order.AssignDriver(std::move(driver_id), now);
  });
}

OrderResult<OrderSnapshot> MarkOrderPaid::Execute(const std::string& order_id,
                                                  std::string payment_id) {
  return ChangeOrder(ports_, order_id, [&](Order& order, common::Timestamp now) {
    return order.MarkPaid(std::move(payment_id), now);
  });
}

OrderResult<OrderSnapshot> DispatchOrder::Execute(const std::string& order_id) {
  return ChangeOrder(ports_, order_id,
                     [](Order& order, common::Timestamp now) { return order.Dispatch(now); });
}

OrderResult<OrderSnapshot> DeliverOrder::Execute(const std::string& order_id) {
  return ChangeOrder(ports_, order_id,
                     [](Order& order, common::Timestamp now) { return order.Deliver(now); });
}

OrderResult<OrderSnapshot> CancelOrder::Execute(const std::string& order_id,
                                                std::optional<std::string> reason) {
  return ChangeOrder(ports_, order_id, [&](Order& order, common::Timestamp now) {
    return order.Cancel(std::move(reason), now);
  });
}

}  // namespace logistics::orders::application
