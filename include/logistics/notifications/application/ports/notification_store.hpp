// NotificationStore: the port through which the notifications use cases of
// one event reach storage: the contact projection and the record of sent
// notifications, on one connection.
//
// Opened twice per event: on a read-only connection to plan (what is
// committed), then in the event's transaction to record, where both commit or
// roll back with the event's inbox row. Adapters: SqliteNotificationStore
// (infrastructure), InMemoryNotificationStore (tests/support). A future
// storage engine implements this port (and passes
// tests/contract/notification_store_contract_test.cpp).
//
// Ownership: the store owns its two ports; the connection and clock they
// borrow outlive it. Thread-safety: one thread at a time.
#pragma once

#include "logistics/notifications/application/ports/contact_projection.hpp"
#include "logistics/notifications/application/ports/sent_notifications.hpp"

namespace logistics::notifications::application {

class NotificationStore {
 public:
  virtual ~NotificationStore() = default;

  virtual ContactProjection& contacts() = 0;
  virtual SentNotifications& sent() = 0;
};

}  // namespace logistics::notifications::application
