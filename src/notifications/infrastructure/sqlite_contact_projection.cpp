#include "logistics/notifications/infrastructure/sqlite_contact_projection.hpp"
#include "logistics/sqlite/storage_health.hpp"

#include <string>

namespace logistics::notifications::infrastructure {
namespace {

using application::Failed;
using application::NotificationResult;
using domain::OrderContact;
using domain::PaymentContact;

common::PortError StorageError(std::string_view table, const sqlite::SqliteError& error) {
  return sqlite::ToPortError("notifications " + std::string(table), error);
}

}  // namespace

NotificationResult<std::optional<OrderContact>> SqliteContactProjection::FindOrder(
    std::string_view order_id) {
  auto select = db_.Prepare(
      "SELECT order_id, tracking_number, customer_name, customer_email, origin, destination,"
      " status, version FROM order_contacts WHERE order_id = ?");
  if (!select) return Failed(StorageError("order_contacts", select.error()));
  sqlite::Statement& statement = **select;
  statement.Bind(1, order_id);
  auto row = statement.Step();
  if (!row) return Failed(StorageError("order_contacts", row.error()));
  if (!*row) return std::optional<OrderContact>();
  return std::optional<OrderContact>(
      OrderContact{statement.ColumnText(0), statement.ColumnText(1), statement.ColumnText(2),
                   statement.ColumnOptionalText(3), statement.ColumnText(4),
                   statement.ColumnText(5), statement.ColumnText(6), statement.ColumnInt64(7)});
}

NotificationResult<bool> SqliteContactProjection::RecordOrder(const OrderContact& contact) {
  // One statement decides and writes: insert, or update only when newer.
  auto upsert = db_.Prepare(
      "INSERT INTO order_contacts(order_id, tracking_number, customer_name, customer_email,"
      " origin, destination, status, version, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT(order_id) DO UPDATE SET tracking_number = excluded.tracking_number,"
      " customer_name = excluded.customer_name, customer_email = excluded.customer_email,"
      " origin = excluded.origin, destination = excluded.destination,"
      " status = excluded.status, version = excluded.version, updated_at = excluded.updated_at"
      " WHERE excluded.version > order_contacts.version");
  if (!upsert) return Failed(StorageError("order_contacts", upsert.error()));
  (*upsert)
      ->Bind(1, contact.order_id)
      .Bind(2, contact.tracking_number)
      .Bind(3, contact.customer_name)
      .Bind(4, contact.customer_email)
      .Bind(5, contact.origin)
      .Bind(6, contact.destination)
      .Bind(7, contact.status)
      .Bind(8, contact.version)
      .Bind(9, common::ToUnixMillis(clock_.Now()));
  if (auto done = (*upsert)->Run(); !done) {
    return Failed(StorageError("order_contacts", done.error()));
  }
  return db_.Changes() == 1;
}

NotificationResult<std::optional<PaymentContact>> SqliteContactProjection::FindPayment(
    std::string_view payment_id) {
  auto select = db_.Prepare(
      "SELECT payment_id, order_id, amount, currency, version FROM payment_contacts"
      " WHERE payment_id = ?");
  if (!select) return Failed(StorageError("payment_contacts", select.error()));
  sqlite::Statement& statement = **select;
  statement.Bind(1, payment_id);
  auto row = statement.Step();
  if (!row) return Failed(StorageError("payment_contacts", row.error()));
  if (!*row) return std::optional<PaymentContact>();
  return std::optional<PaymentContact>(
      PaymentContact{statement.ColumnText(0), statement.ColumnText(1), statement.ColumnText(2),
                     statement.ColumnText(3), statement.ColumnInt64(4)});
}

NotificationResult<bool> SqliteContactProjection::RecordPayment(const PaymentContact& contact) {
  auto upsert = db_.Prepare(
      "INSERT INTO payment_contacts(payment_id, order_id, amount, currency, version, updated_at)"
      " VALUES(?, ?, ?, ?, ?, ?)"
      " ON CONFLICT(payment_id) DO UPDATE SET order_id = excluded.order_id,"
      " amount = excluded.amount, currency = excluded.currency, version = excluded.version,"
      " updated_at = excluded.updated_at"
      " WHERE excluded.version > payment_contacts.version");
  if (!upsert) return Failed(StorageError("payment_contacts", upsert.error()));
  (*upsert)
      ->Bind(1, contact.payment_id)
      .Bind(2, contact.order_id)
      .Bind(3, contact.amount)
      .Bind(4, contact.currency)
      .Bind(5, contact.version)
      .Bind(6, common::ToUnixMillis(clock_.Now()));
  if (auto done = (*upsert)->Run(); !done) {
    return Failed(StorageError("payment_contacts", done.error()));
  }
  return db_.Changes() == 1;
}

}  // namespace logistics::notifications::infrastructure
