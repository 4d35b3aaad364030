#include "logistics/orders/infrastructure/orders_schema.hpp"

#include <array>

namespace logistics::orders::infrastructure {
namespace {

constexpr std::array<sqlite::Migration, 2> kMigrations{{
    {1, "create orders",
     "CREATE TABLE orders ("
     " order_id TEXT PRIMARY KEY,"
     " tracking_number TEXT NOT NULL UNIQUE,"
     " customer_name TEXT NOT NULL,"
     " customer_email TEXT,"
     " origin TEXT NOT NULL,"
     " destination TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN"
     "  ('CREATED','ASSIGNED','PAID','IN_TRANSIT','DELIVERED','CANCELLED')),"
     " driver_id TEXT,"
     " cancellation_reason TEXT,"
     " created_at INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL,"
     " version INTEGER NOT NULL CHECK (version >= 1)"
     ") WITHOUT ROWID;"
     "CREATE INDEX orders_by_status ON orders(status, order_id);"
     "CREATE INDEX orders_by_customer ON orders(customer_name, order_id);"
     "CREATE INDEX orders_by_customer_status ON orders(customer_name, status, order_id);"},
    // Customer lists of any status merge the per-status ranges of
    // orders_by_customer_status (SqliteOrderRepository::List), so this index
    // only cost every create a random-position insert.
    {2, "drop orders_by_customer", "DROP INDEX orders_by_customer;"},
}};

}  // namespace

std::span<const sqlite::Migration> OrdersMigrations() { return kMigrations; }

}  // namespace logistics::orders::infrastructure
