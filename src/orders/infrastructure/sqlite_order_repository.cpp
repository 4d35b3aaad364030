#include "logistics/orders/infrastructure/sqlite_order_repository.hpp"

#include "logistics/aggregate_service/infrastructure/sqlite_keyset_page.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::orders::infrastructure {
namespace {

using application::Failed;
using application::OrderResult;

constexpr std::string_view kColumns =
    "order_id, tracking_number, customer_name, customer_email, origin, destination, status,"
    " driver_id, cancellation_reason, created_at, updated_at, version";

// Rows are written only by SqliteOrderUnitOfWork and the status column has a
// CHECK constraint, so an unknown status means a corrupted file.
std::optional<domain::OrderSnapshot> ReadRow(const sqlite::Statement& row) {
  const auto status = domain::ParseOrderStatus(row.ColumnText(6));
  if (!status) return std::nullopt;
  domain::OrderSnapshot order;
  order.order_id = row.ColumnText(0);
  order.tracking_number = row.ColumnText(1);
  order.customer_name = row.ColumnText(2);
  order.customer_email = row.ColumnOptionalText(3);
  order.origin = row.ColumnText(4);
  order.destination = row.ColumnText(5);
  order.status = *status;
  order.driver_id = row.ColumnOptionalText(7);
  order.cancellation_reason = row.ColumnOptionalText(8);
  order.created_at = common::FromUnixMillis(row.ColumnInt64(9));
  order.updated_at = common::FromUnixMillis(row.ColumnInt64(10));
  order.version = row.ColumnInt64(11);
  return order;
}

// A range scan of (status, order_id), (customer_name, status, order_id) or the
// primary key, whichever the filters name.
std::string ListSql(const application::OrderListQuery& query) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM orders WHERE 1";
  if (query.status) sql += " AND status = ?1";
  if (query.customer_name) sql += " AND customer_name = ?2";
  if (query.before) sql += " AND order_id < ?3";
  return sql + " ORDER BY order_id DESC LIMIT ?4";
}

// A customer's orders of any status, newest first, from the one customer
// index (customer_name, status, order_id): the newest page of each status,
// merged. It reads at most six pages however many orders the customer has,
// and it spares every create a second random-position index insert (on a
// database of 1M orders that insert cost a fifth of the create rate).
std::string CustomerListSql(bool after_cursor) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM (";
  const char* separator = "";
  for (const auto status : domain::kAllOrderStatuses) {
    sql += separator;
    sql += "SELECT * FROM (SELECT " + std::string(kColumns) +
           " FROM orders WHERE customer_name = ?2 AND status = '" +
           std::string(domain::ToString(status)) + "'";
    if (after_cursor) sql += " AND order_id < ?3";
    sql += " ORDER BY order_id DESC LIMIT ?4)";
    separator = " UNION ALL ";
  }
  return sql + ") ORDER BY order_id DESC LIMIT ?4";
}

common::PortError StorageError(const sqlite::SqliteError& error) {
  return sqlite::ToPortError("orders storage", error);
}

}  // namespace

OrderResult<std::optional<domain::Order>> SqliteOrderRepository::FindOne(std::string_view sql,
                                                                         std::string_view key) {
  auto select = db_.Prepare(sql);
  if (!select) return Failed(StorageError(select.error()));
  (*select)->Bind(1, key);
  auto row = (*select)->Step();
  if (!row) return Failed(StorageError(row.error()));
  if (!*row) return std::optional<domain::Order>();
  auto snapshot = ReadRow(**select);
  if (!snapshot) return Failed(common::PortError{"orders storage: unknown status in a row"});
  return std::optional<domain::Order>(domain::Order::Restore(std::move(*snapshot)));
}

OrderResult<std::optional<domain::Order>> SqliteOrderRepository::FindById(
    std::string_view order_id) {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM orders WHERE order_id = ?";
  return FindOne(sql, order_id);
}

OrderResult<std::optional<domain::Order>> SqliteOrderRepository::FindByTrackingNumber(
    std::string_view tracking_number) {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM orders WHERE tracking_number = ?";
  return FindOne(sql, tracking_number);
}

OrderResult<application::OrderPage> SqliteOrderRepository::List(
    const application::OrderListQuery& query) {
  // One SQL text per combination of filters, each cached by the connection;
  // every one reads at most a few pages of keyset range scans, newest first.
  const bool by_customer_alone = query.customer_name && !query.status;
  static const std::string kCustomerFirstPage = CustomerListSql(false);
  static const std::string kCustomerNextPage = CustomerListSql(true);
  const std::string sql = !by_customer_alone        ? ListSql(query)
                          : query.before ? kCustomerNextPage
                                                  : kCustomerFirstPage;

  auto select = db_.Prepare(sql);
  if (!select) return Failed(StorageError(select.error()));
  // Parameters are numbered: ?1 status, ?2 customer, ?3 cursor, ?4 limit.
  if (query.status) (*select)->Bind(1, domain::ToString(*query.status));
  if (query.customer_name) (*select)->Bind(2, *query.customer_name);
  if (query.before) (*select)->Bind(3, *query.before);
  // One row more than asked tells whether another page exists.
  (*select)->Bind(4, static_cast<std::int64_t>(query.limit + 1));

  auto page = aggregate_service::infrastructure::ReadKeysetPage<domain::OrderSnapshot>(
      **select, query.limit, "orders storage", &ReadRow,
      common::PortError{"orders storage: unknown status in a row"});
  if (!page) return Failed(std::move(page).error());
  return std::move(*page);
}

}  // namespace logistics::orders::infrastructure
