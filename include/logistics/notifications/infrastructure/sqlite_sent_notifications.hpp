// SqliteSentNotifications: SentNotifications over the sent_notifications table
// (notifications_schema.hpp).
//
// Record inserts and keeps the first row of an event id (INSERT ... ON
// CONFLICT DO NOTHING). A stored kind this binary does not know (written by a
// newer version) makes Find fail with a PortError rather than guess.
//
// Ownership: borrows the Database. Thread-safety: that of the connection.
#pragma once

#include "logistics/notifications/application/ports/sent_notifications.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::notifications::infrastructure {

class SqliteSentNotifications final : public application::SentNotifications {
 public:
  explicit SqliteSentNotifications(sqlite::Database& db) : db_(db) {}

  application::NotificationResult<bool> WasSent(std::string_view event_id) override;
  application::NotificationResult<bool> Record(const application::SentNotification& sent) override;
  application::NotificationResult<std::optional<application::SentNotification>> Find(
      std::string_view event_id) override;

 private:
  sqlite::Database& db_;
};

}  // namespace logistics::notifications::infrastructure
