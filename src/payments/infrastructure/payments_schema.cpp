#include "logistics/payments/infrastructure/payments_schema.hpp"

#include <array>

namespace logistics::payments::infrastructure {
namespace {

constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1, "create payments and the orders projection",
     "CREATE TABLE payments ("
     " payment_id TEXT PRIMARY KEY,"
     " order_id TEXT NOT NULL,"
     " amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),"
     " currency TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('PENDING','CONFIRMED','FAILED','REFUNDED')),"
     " failure_reason TEXT,"
     " refund_reason TEXT,"
     " created_at INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL,"
     " version INTEGER NOT NULL CHECK (version >= 1)"
     ") WITHOUT ROWID;"
     "CREATE INDEX payments_by_order ON payments(order_id, payment_id);"
     "CREATE INDEX payments_by_status ON payments(status, payment_id);"
     "CREATE INDEX payments_by_order_status ON payments(order_id, status, payment_id);"
     "CREATE TABLE order_view ("
     " order_id TEXT PRIMARY KEY,"
     " status TEXT NOT NULL,"
     " version INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
}};

}  // namespace

std::span<const sqlite::Migration> PaymentsMigrations() { return kMigrations; }

}  // namespace logistics::payments::infrastructure
