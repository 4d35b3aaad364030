#include "support/fakes/in_memory_notifications.hpp"

#include <utility>

namespace logistics::testing {
namespace {

using notifications::application::Failed;
using notifications::application::NotificationResult;
using notifications::application::SendFailure;
using notifications::application::SentNotification;
using notifications::domain::OrderContact;
using notifications::domain::PaymentContact;

// Takes a requested failure, if any, so that it happens exactly once.
std::optional<common::PortError> TakeFailure(std::optional<std::string>& requested) {
  if (!requested) return std::nullopt;
  common::PortError error{std::move(*requested)};
  requested.reset();
  return error;
}

template <typename Map>
auto Lookup(const Map& map, std::string_view key) -> std::optional<typename Map::mapped_type> {
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::optional<common::PortError> InMemoryContactProjection::StartCall() {
  return TakeFailure(fail_next_call_);
}

NotificationResult<std::optional<OrderContact>> InMemoryContactProjection::FindOrder(
    std::string_view order_id) {
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  return StoredOrder(order_id);
}

NotificationResult<bool> InMemoryContactProjection::RecordOrder(const OrderContact& contact) {
  ++record_calls_;
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  const auto stored = orders_.find(contact.order_id);
  if (stored != orders_.end() && stored->second.version >= contact.version) return false;
  Put(contact);
  return true;
}

NotificationResult<std::optional<PaymentContact>> InMemoryContactProjection::FindPayment(
    std::string_view payment_id) {
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  return StoredPayment(payment_id);
}

NotificationResult<bool> InMemoryContactProjection::RecordPayment(const PaymentContact& contact) {
  ++record_calls_;
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  const auto stored = payments_.find(contact.payment_id);
  if (stored != payments_.end() && stored->second.version >= contact.version) return false;
  Put(contact);
  return true;
}

void InMemoryContactProjection::Put(OrderContact contact) {
  std::string id = contact.order_id;
  orders_.insert_or_assign(std::move(id), std::move(contact));
}

void InMemoryContactProjection::Put(PaymentContact contact) {
  std::string id = contact.payment_id;
  payments_.insert_or_assign(std::move(id), std::move(contact));
}

std::optional<OrderContact> InMemoryContactProjection::StoredOrder(
    std::string_view order_id) const {
  return Lookup(orders_, order_id);
}

std::optional<PaymentContact> InMemoryContactProjection::StoredPayment(
    std::string_view payment_id) const {
  return Lookup(payments_, payment_id);
}

std::optional<common::PortError> InMemorySentNotifications::StartCall() {
  return TakeFailure(fail_next_call_);
}

NotificationResult<bool> InMemorySentNotifications::WasSent(std::string_view event_id) {
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  return records_.find(event_id) != records_.end();
}

NotificationResult<bool> InMemorySentNotifications::Record(const SentNotification& sent) {
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  return records_.emplace(sent.event_id, sent).second;
}

NotificationResult<std::optional<SentNotification>> InMemorySentNotifications::Find(
    std::string_view event_id) {
  if (auto failure = StartCall()) return Failed(std::move(*failure));
  return Lookup(records_, event_id);
}

common::Result<void, SendFailure> RecordingMailSender::Send(const notifications::domain::Mail& mail,
                                                            std::string_view message_id) {
  ++send_calls_;
  if (!failures_.empty()) {
    SendFailure failure = std::move(failures_.front());
    failures_.pop_front();
    return common::Unexpected<SendFailure>{std::move(failure)};
  }
  sent_.push_back(Sent{mail, std::string(message_id)});
  return {};
}

}  // namespace logistics::testing
