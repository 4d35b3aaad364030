#include "logistics/notifications/infrastructure/sqlite_sent_notifications.hpp"
#include "logistics/sqlite/storage_health.hpp"

#include <string>

namespace logistics::notifications::infrastructure {
namespace {

using application::Failed;
using application::NotificationResult;
using application::SentNotification;

common::PortError StorageError(const sqlite::SqliteError& error) {
  return sqlite::ToPortError("notifications sent_notifications", error);
}

}  // namespace

NotificationResult<bool> SqliteSentNotifications::WasSent(std::string_view event_id) {
  auto select = db_.Prepare("SELECT 1 FROM sent_notifications WHERE event_id = ?");
  if (!select) return Failed(StorageError(select.error()));
  (*select)->Bind(1, event_id);
  auto row = (*select)->Step();
  if (!row) return Failed(StorageError(row.error()));
  return *row;
}

NotificationResult<bool> SqliteSentNotifications::Record(const SentNotification& sent) {
  auto insert = db_.Prepare(
      "INSERT INTO sent_notifications(event_id, kind, recipient, message_id, sent_at)"
      " VALUES(?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING");
  if (!insert) return Failed(StorageError(insert.error()));
  (*insert)
      ->Bind(1, sent.event_id)
      .Bind(2, domain::ToString(sent.kind))
      .Bind(3, sent.recipient)
      .Bind(4, sent.message_id)
      .Bind(5, common::ToUnixMillis(sent.sent_at));
  if (auto done = (*insert)->Run(); !done) return Failed(StorageError(done.error()));
  return db_.Changes() == 1;
}

NotificationResult<std::optional<SentNotification>> SqliteSentNotifications::Find(
    std::string_view event_id) {
  auto select = db_.Prepare(
      "SELECT event_id, kind, recipient, message_id, sent_at FROM sent_notifications"
      " WHERE event_id = ?");
  if (!select) return Failed(StorageError(select.error()));
  sqlite::Statement& statement = **select;
  statement.Bind(1, event_id);
  auto row = statement.Step();
  if (!row) return Failed(StorageError(row.error()));
  if (!*row) return std::optional<SentNotification>();
  const std::string kind_text = statement.ColumnText(1);
  const auto kind = domain::ParseNotificationKind(kind_text);
  if (!kind) {
    return Failed(common::PortError{"notifications sent_notifications: event " +
                                    std::string(event_id) + " has an unknown kind '" + kind_text +
                                    "'"});
  }
  return std::optional<SentNotification>(
      SentNotification{statement.ColumnText(0), *kind, statement.ColumnText(2),
                       statement.ColumnText(3), common::FromUnixMillis(statement.ColumnInt64(4))});
}

}  // namespace logistics::notifications::infrastructure
