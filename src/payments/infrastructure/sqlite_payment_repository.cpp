#include "logistics/payments/infrastructure/sqlite_payment_repository.hpp"

#include "logistics/aggregate_service/infrastructure/sqlite_keyset_page.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::payments::infrastructure {
namespace {

using application::Failed;
using application::PaymentResult;

constexpr std::string_view kColumns =
    "payment_id, order_id, amount_cents, currency, status, failure_reason, refund_reason,"
    " created_at, updated_at, version";

common::PortError StorageError(const sqlite::SqliteError& error) {
  return sqlite::ToPortError("payments storage", error);
}

// Rows are written only by SqlitePaymentUnitOfWork (and CHECK constraints
// guard status and amount), so a row that does not load is a corrupted file.
std::optional<domain::PaymentSnapshot> ReadRow(const sqlite::Statement& row) {
  const auto status = domain::ParsePaymentStatus(row.ColumnText(4));
  auto amount = domain::Money::FromCents(row.ColumnInt64(2));
  auto currency = domain::Currency::Parse(row.ColumnText(3));
  if (!status || !amount || !currency) return std::nullopt;
  return domain::PaymentSnapshot{row.ColumnText(0),
                                 row.ColumnText(1),
                                 *amount,
                                 *currency,
                                 *status,
                                 row.ColumnOptionalText(5),
                                 row.ColumnOptionalText(6),
                                 common::FromUnixMillis(row.ColumnInt64(7)),
                                 common::FromUnixMillis(row.ColumnInt64(8)),
                                 row.ColumnInt64(9)};
}

const common::PortError kCorruptRow{"payments storage: a payments row does not load"};

}  // namespace

PaymentResult<std::optional<domain::Payment>> SqlitePaymentRepository::FindById(
    std::string_view payment_id) {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM payments WHERE payment_id = ?";
  auto select = db_.Prepare(sql);
  if (!select) return Failed(StorageError(select.error()));
  (*select)->Bind(1, payment_id);
  auto row = (*select)->Step();
  if (!row) return Failed(StorageError(row.error()));
  if (!*row) return std::optional<domain::Payment>();
  auto snapshot = ReadRow(**select);
  if (!snapshot) return Failed(kCorruptRow);
  return std::optional<domain::Payment>(domain::Payment::Restore(std::move(*snapshot)));
}

PaymentResult<application::PaymentPage> SqlitePaymentRepository::List(
    const application::PaymentListQuery& query) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM payments WHERE 1";
  if (query.order_id) sql += " AND order_id = ?";
  if (query.status) sql += " AND status = ?";
  if (query.before) sql += " AND payment_id < ?";
  sql += " ORDER BY payment_id DESC LIMIT ?";
  auto select = db_.Prepare(sql);
  if (!select) return Failed(StorageError(select.error()));
  int index = 1;
  if (query.order_id) (*select)->Bind(index++, *query.order_id);
  if (query.status) (*select)->Bind(index++, domain::ToString(*query.status));
  if (query.before) (*select)->Bind(index++, *query.before);
  (*select)->Bind(index, static_cast<std::int64_t>(query.limit + 1));

  auto page = aggregate_service::infrastructure::ReadKeysetPage<domain::PaymentSnapshot>(
      **select, query.limit, "payments storage", &ReadRow, kCorruptRow);
  if (!page) return Failed(std::move(page).error());
  return std::move(*page);
}

PaymentResult<std::vector<domain::Payment>> SqlitePaymentRepository::FindByOrder(
    std::string_view order_id) {
  static const std::string sql = "SELECT " + std::string(kColumns) +
                                 " FROM payments WHERE order_id = ? ORDER BY payment_id";
  auto select = db_.Prepare(sql);
  if (!select) return Failed(StorageError(select.error()));
  (*select)->Bind(1, order_id);
  std::vector<domain::Payment> payments;
  for (;;) {
    auto row = (*select)->Step();
    if (!row) return Failed(StorageError(row.error()));
    if (!*row) break;
    auto snapshot = ReadRow(**select);
    if (!snapshot) return Failed(kCorruptRow);
    payments.push_back(domain::Payment::Restore(std::move(*snapshot)));
  }
  return payments;
}

}  // namespace logistics::payments::infrastructure
