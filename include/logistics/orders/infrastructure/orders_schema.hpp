// The orders tables: component "orders" of the service's schema_version.
//
//   orders(order_id TEXT PRIMARY KEY, tracking_number UNIQUE, ..., version)
//   WITHOUT ROWID, so rows are clustered by order_id (UUIDv7: time-ordered),
//   plus indexes (status, order_id), (customer_name, order_id) and
//   (customer_name, status, order_id): each filter of orders.query.list is a
//   range scan in order_id order, so keyset pages cost the same at any depth
//   and any table size.
#pragma once

#include <span>

#include "logistics/sqlite/migrations.hpp"

namespace logistics::orders::infrastructure {

std::span<const sqlite::Migration> OrdersMigrations();

}  // namespace logistics::orders::infrastructure
