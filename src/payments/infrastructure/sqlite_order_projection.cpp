#include "logistics/payments/infrastructure/sqlite_order_projection.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::payments::infrastructure {
namespace {

using application::Failed;

common::PortError StorageError(const sqlite::SqliteError& error) {
  return sqlite::ToPortError("payments order view", error);
}

}  // namespace

application::PaymentResult<std::optional<domain::OrderView>> SqliteOrderProjection::Find(
    std::string_view order_id) {
  auto select = db_.Prepare("SELECT order_id, status, version FROM order_view WHERE order_id = ?");
  if (!select) return Failed(StorageError(select.error()));
  (*select)->Bind(1, order_id);
  auto row = (*select)->Step();
  if (!row) return Failed(StorageError(row.error()));
  if (!*row) return std::optional<domain::OrderView>();
  return std::optional<domain::OrderView>(domain::OrderView{
      (*select)->ColumnText(0), (*select)->ColumnText(1), (*select)->ColumnInt64(2)});
}

application::PaymentResult<bool> SqliteOrderProjection::Record(const domain::OrderView& view) {
  // One statement decides and writes: insert, or update only when newer.
  auto upsert = db_.Prepare(
      "INSERT INTO order_view(order_id, status, version, updated_at) VALUES(?, ?, ?, ?)"
      " ON CONFLICT(order_id) DO UPDATE SET status = excluded.status,"
      " version = excluded.version, updated_at = excluded.updated_at"
      " WHERE excluded.version > order_view.version");
  if (!upsert) return Failed(StorageError(upsert.error()));
  (*upsert)
      ->Bind(1, view.order_id)
      .Bind(2, view.status)
      .Bind(3, view.version)
      .Bind(4, common::ToUnixMillis(clock_.Now()));
  if (auto done = (*upsert)->Run(); !done) return Failed(StorageError(done.error()));
  return db_.Changes() == 1;
}

}  // namespace logistics::payments::infrastructure
