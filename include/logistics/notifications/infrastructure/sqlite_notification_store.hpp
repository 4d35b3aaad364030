// SqliteNotificationStore: NotificationStore over the order_contacts,
// payment_contacts and sent_notifications tables of one connection: a pooled
// read-only one to plan an event's mail, the writer's inside the event's
// transaction to record it. Only the composition root
// (src/apps/notifications/main.cpp) names this type.
//
// Ownership: borrows the Database and the clock (for updated_at), which
// outlive it. Thread-safety: that of the connection.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/notifications/application/ports/notification_store.hpp"
#include "logistics/notifications/infrastructure/sqlite_contact_projection.hpp"
#include "logistics/notifications/infrastructure/sqlite_sent_notifications.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::notifications::infrastructure {

class SqliteNotificationStore final : public application::NotificationStore {
 public:
  SqliteNotificationStore(sqlite::Database& db, const common::Clock& clock)
      : contacts_(db, clock), sent_(db) {}

  application::ContactProjection& contacts() override { return contacts_; }
  application::SentNotifications& sent() override { return sent_; }

 private:
  SqliteContactProjection contacts_;
  SqliteSentNotifications sent_;
};

}  // namespace logistics::notifications::infrastructure
