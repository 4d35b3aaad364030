// The notifications tables: component "notifications" of the service's
// schema_version (the inbox and dead letters are component "inbox").
//
//   order_contacts(order_id PRIMARY KEY, tracking_number, customer_name,
//                  customer_email NULL, origin, destination, status, version,
//                  updated_at) WITHOUT ROWID: the projection of ORDERS; a row
//                  is replaced only by a newer version.
//   payment_contacts(payment_id PRIMARY KEY, order_id, amount, currency,
//                  version, updated_at) WITHOUT ROWID, index (order_id): the
//                  projection of PAYMENTS, same rule.
//   sent_notifications(event_id PRIMARY KEY, kind, recipient, message_id,
//                  sent_at) WITHOUT ROWID: one row per event whose mail was
//                  sent; never deleted (it outlives the inbox's retention).
// Times are Unix milliseconds, like every other table.
//
// Thread-safety: a constant list.
#pragma once

#include <span>
#include <string_view>

#include "logistics/sqlite/migrations.hpp"

namespace logistics::notifications::infrastructure {

inline constexpr std::string_view kNotificationsComponent = "notifications";

std::span<const sqlite::Migration> NotificationsMigrations();

}  // namespace logistics::notifications::infrastructure
