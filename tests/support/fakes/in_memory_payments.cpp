#include "support/fakes/in_memory_payments.hpp"

#include <cstdint>
#include <utility>

#include "support/fakes/keyset_page.hpp"

namespace logistics::testing {
namespace {

using payments::application::Failed;
using payments::application::PaymentListQuery;
using payments::application::PaymentPage;
using payments::application::PaymentResult;
using payments::application::Rejected;
using payments::domain::OrderView;
using payments::domain::Payment;
using payments::domain::PaymentError;
using payments::domain::PaymentSnapshot;

bool Matches(const PaymentSnapshot& payment, const PaymentListQuery& query) {
  if (query.order_id && payment.order_id != *query.order_id) return false;
  if (query.status && payment.status != *query.status) return false;
  return true;
}

// Takes a requested failure, if any, so that it happens exactly once.
std::optional<common::PortError> TakeFailure(std::optional<std::string>& requested) {
  if (!requested) return std::nullopt;
  common::PortError error{std::move(*requested)};
  requested.reset();
  return error;
}

}  // namespace

std::optional<common::PortError> InMemoryPaymentRepository::StartRead() {
  ++reads_;
  return TakeFailure(fail_next_read_);
}

PaymentResult<std::optional<Payment>> InMemoryPaymentRepository::FindById(
    std::string_view payment_id) {
  if (auto failure = StartRead()) return Failed(std::move(*failure));
  const auto it = payments_.find(payment_id);
  if (it == payments_.end()) return std::optional<Payment>{};
  return std::optional<Payment>{Payment::Restore(it->second)};
}

PaymentResult<PaymentPage> InMemoryPaymentRepository::List(const PaymentListQuery& query) {
  if (auto failure = StartRead()) return Failed(std::move(*failure));
  return PageOf(payments_, query, [&query](const auto& row) { return Matches(row, query); });
}

PaymentResult<std::vector<Payment>> InMemoryPaymentRepository::FindByOrder(
    std::string_view order_id) {
  if (auto failure = StartRead()) return Failed(std::move(*failure));
  std::vector<Payment> found;
  for (const auto& [id, payment] : payments_) {
    if (payment.order_id == order_id) found.push_back(Payment::Restore(payment));
  }
  return found;
}

void InMemoryPaymentRepository::Put(PaymentSnapshot payment) {
  std::string id = payment.payment_id;
  payments_.insert_or_assign(std::move(id), std::move(payment));
}

std::optional<PaymentSnapshot> InMemoryPaymentRepository::Stored(
    std::string_view payment_id) const {
  const auto it = payments_.find(payment_id);
  if (it == payments_.end()) return std::nullopt;
  return it->second;
}

PaymentResult<void> InMemoryPaymentUnitOfWork::Save(
    const Payment& payment, const std::vector<payments::domain::PaymentEvent>& events) {
  ++save_calls_;
  if (auto failure = TakeFailure(fail_next_save_)) return Failed(std::move(*failure));

  const PaymentSnapshot& snapshot = payment.snapshot();
  const auto stored = payments_.payments_.find(snapshot.payment_id);
  const std::int64_t stored_version =
      stored == payments_.payments_.end() ? 0 : stored->second.version;
  if (stored_version != snapshot.version - 1) {
    return Rejected(payments::domain::Reject(
        PaymentError::kConcurrentModification,
        "payment " + snapshot.payment_id + " was changed concurrently; retry the command"));
  }

  payments_.Put(snapshot);
  saved_events.insert(saved_events.end(), events.begin(), events.end());
  return {};
}

std::optional<common::PortError> InMemoryOrderProjection::StartCall() {
  return TakeFailure(fail_next_call_);
}

PaymentResult<std::optional<OrderView>> InMemoryOrderProjection::Find(std::string_view order_id) {
  ++find_calls_;
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  return Stored(order_id);
}

PaymentResult<bool> InMemoryOrderProjection::Record(const OrderView& view) {
  ++record_calls_;
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  const auto stored = views_.find(view.order_id);
  if (stored != views_.end() && stored->second.version >= view.version) return false;
  Put(view);
  ++applied_records_;
  return true;
}

void InMemoryOrderProjection::Put(OrderView view) {
  std::string id = view.order_id;
  views_.insert_or_assign(std::move(id), std::move(view));
}

std::optional<OrderView> InMemoryOrderProjection::Stored(std::string_view order_id) const {
  const auto it = views_.find(order_id);
  if (it == views_.end()) return std::nullopt;
  return it->second;
}

}  // namespace logistics::testing
