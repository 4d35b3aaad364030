// In-memory twins of the notifications ports, for unit tests of the use cases.
//
// InMemoryContactProjection (ContactProjection) keeps the newest contact per
// order and per payment and refuses to go back in version, like the SQLite
// projection. InMemorySentNotifications (SentNotifications) keeps the first
// record per event id. RecordingMailSender (MailSender) keeps every mail it
// was asked to send, in order, and can be told to fail its next sends. Each
// can be told to fail its next call, to test how callers handle it.
// InMemoryNotificationStore (NotificationStore) is the projection and the
// sent notifications together.
//
// Ownership: each owns what it stores. Thread-safety: none, like the ports.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/notifications/application/ports/contact_projection.hpp"
#include "logistics/notifications/application/ports/mail_sender.hpp"
#include "logistics/notifications/application/ports/notification_store.hpp"
#include "logistics/notifications/application/ports/sent_notifications.hpp"

namespace logistics::testing {

class InMemoryContactProjection final : public notifications::application::ContactProjection {
 public:
  notifications::application::NotificationResult<std::optional<notifications::domain::OrderContact>>
  FindOrder(std::string_view order_id) override;
  notifications::application::NotificationResult<bool> RecordOrder(
      const notifications::domain::OrderContact& contact) override;
  notifications::application::NotificationResult<
      std::optional<notifications::domain::PaymentContact>>
  FindPayment(std::string_view payment_id) override;
  notifications::application::NotificationResult<bool> RecordPayment(
      const notifications::domain::PaymentContact& contact) override;

  // Makes the next call (any method) fail with a PortError carrying
  // `message`, storing nothing; the call after that succeeds again.
  void FailNextCall(std::string message) { fail_next_call_ = std::move(message); }

  // Store as given, whatever the stored version: for setting up.
  void Put(notifications::domain::OrderContact contact);
  void Put(notifications::domain::PaymentContact contact);

  std::optional<notifications::domain::OrderContact> StoredOrder(std::string_view order_id) const;
  std::optional<notifications::domain::PaymentContact> StoredPayment(
      std::string_view payment_id) const;
  // How many Record calls were made (orders and payments), failed and ignored
  // ones included.
  std::size_t record_calls() const { return record_calls_; }

 private:
  std::optional<common::PortError> StartCall();

  std::map<std::string, notifications::domain::OrderContact, std::less<>> orders_;
  std::map<std::string, notifications::domain::PaymentContact, std::less<>> payments_;
  std::optional<std::string> fail_next_call_;
  std::size_t record_calls_ = 0;
};

class InMemorySentNotifications final : public notifications::application::SentNotifications {
 public:
  notifications::application::NotificationResult<bool> WasSent(std::string_view event_id) override;
  notifications::application::NotificationResult<bool> Record(
      const notifications::application::SentNotification& sent) override;
  notifications::application::NotificationResult<
      std::optional<notifications::application::SentNotification>>
  Find(std::string_view event_id) override;

  // Makes the next call fail with a PortError carrying `message`.
  void FailNextCall(std::string message) { fail_next_call_ = std::move(message); }

  std::size_t size() const { return records_.size(); }

 private:
  std::optional<common::PortError> StartCall();

  std::map<std::string, notifications::application::SentNotification, std::less<>> records_;
  std::optional<std::string> fail_next_call_;
};

class RecordingMailSender final : public notifications::application::MailSender {
 public:
  struct Sent {
    notifications::domain::Mail mail;
    std::string message_id;
  };

  common::Result<void, notifications::application::SendFailure> Send(
      const notifications::domain::Mail& mail, std::string_view message_id) override;

  // Makes the next Send fail with `failure` (queued: one failure per call),
  // recording nothing for it.
  void FailNextSend(notifications::application::SendFailure failure) {
    failures_.push_back(std::move(failure));
  }

  // Every mail accepted, oldest first.
  const std::vector<Sent>& sent() const { return sent_; }
  // How many times Send was called, failed calls included.
  std::size_t send_calls() const { return send_calls_; }

 private:
  std::vector<Sent> sent_;
  std::deque<notifications::application::SendFailure> failures_;
  std::size_t send_calls_ = 0;
};

class InMemoryNotificationStore final : public notifications::application::NotificationStore {
 public:
  InMemoryContactProjection& contacts() override { return contacts_; }
  InMemorySentNotifications& sent() override { return sent_; }

 private:
  InMemoryContactProjection contacts_;
  InMemorySentNotifications sent_;
};

}  // namespace logistics::testing
