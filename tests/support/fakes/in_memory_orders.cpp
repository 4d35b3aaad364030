#include "support/fakes/in_memory_orders.hpp"

#include <utility>

#include "support/fakes/keyset_page.hpp"

namespace logistics::testing {
namespace {

using orders::application::Failed;
using orders::application::OrderListQuery;
using orders::application::OrderPage;
using orders::application::OrderResult;
using orders::application::Rejected;
using orders::domain::Order;
using orders::domain::OrderError;
using orders::domain::OrderSnapshot;

bool Matches(const OrderSnapshot& order, const OrderListQuery& query) {
  if (query.status && order.status != *query.status) return false;
  if (query.customer_name && order.customer_name != *query.customer_name) return false;
  return true;
}

}  // namespace

std::optional<common::PortError> InMemoryOrderRepository::StartRead() {
  ++reads_;
  if (!fail_next_read_) return std::nullopt;
  common::PortError error{std::move(*fail_next_read_)};
  fail_next_read_.reset();
  return error;
}

OrderResult<std::optional<Order>> InMemoryOrderRepository::FindById(std::string_view order_id) {
  if (auto failure = StartRead()) return Failed(std::move(*failure));
  const auto it = orders_.find(order_id);
  if (it == orders_.end()) return std::optional<Order>{};
  return std::optional<Order>{Order::Restore(it->second)};
}

OrderResult<std::optional<Order>> InMemoryOrderRepository::FindByTrackingNumber(
    std::string_view tracking_number) {
  if (auto failure = StartRead()) return Failed(std::move(*failure));
  for (const auto& [id, order] : orders_) {
    if (order.tracking_number == tracking_number) {
      return std::optional<Order>{Order::Restore(order)};
    }
  }
  return std::optional<Order>{};
}

OrderResult<OrderPage> InMemoryOrderRepository::List(const OrderListQuery& query) {
  if (auto failure = StartRead()) return Failed(std::move(*failure));
  return PageOf(orders_, query, [&query](const auto& row) { return Matches(row, query); });
}

void InMemoryOrderRepository::Put(OrderSnapshot order) {
  std::string id = order.order_id;
  orders_.insert_or_assign(std::move(id), std::move(order));
}

std::optional<OrderSnapshot> InMemoryOrderRepository::Stored(std::string_view order_id) const {
  const auto it = orders_.find(order_id);
  if (it == orders_.end()) return std::nullopt;
  return it->second;
}

OrderResult<void> InMemoryOrderUnitOfWork::Save(
    const Order& order, const std::vector<orders::domain::OrderEvent>& events) {
  ++save_calls_;
  if (fail_next_save_) {
    common::PortError error{std::move(*fail_next_save_)};
    fail_next_save_.reset();
    return Failed(std::move(error));
  }

  const OrderSnapshot& snapshot = order.snapshot();
  for (const auto& [id, stored] : orders_.orders_) {
    if (id != snapshot.order_id && stored.tracking_number == snapshot.tracking_number) {
      return Rejected(orders::domain::Reject(
          OrderError::kDuplicateTrackingNumber,
          "an order with tracking_number '" + snapshot.tracking_number + "' already exists"));
    }
  }
  const auto stored = orders_.orders_.find(snapshot.order_id);
  const std::int64_t stored_version = stored == orders_.orders_.end() ? 0 : stored->second.version;
  if (stored_version != snapshot.version - 1) {
    return Rejected(orders::domain::Reject(
        OrderError::kConcurrentModification,
        "order " + snapshot.order_id + " was changed concurrently; retry the command"));
  }

  orders_.Put(snapshot);
  saved_events.insert(saved_events.end(), events.begin(), events.end());
  return {};
}

}  // namespace logistics::testing
