#include "logistics/notifications/infrastructure/notifications_schema.hpp"

#include <array>

namespace logistics::notifications::infrastructure {
namespace {

constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1, "create the contact projections and sent notifications",
     "CREATE TABLE order_contacts ("
     " order_id TEXT PRIMARY KEY,"
     " tracking_number TEXT NOT NULL,"
     " customer_name TEXT NOT NULL,"
     " customer_email TEXT,"
     " origin TEXT NOT NULL,"
     " destination TEXT NOT NULL,"
     " status TEXT NOT NULL,"
     " version INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE TABLE payment_contacts ("
     " payment_id TEXT PRIMARY KEY,"
     " order_id TEXT NOT NULL,"
     " amount TEXT NOT NULL,"
     " currency TEXT NOT NULL,"
     " version INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX payment_contacts_by_order ON payment_contacts(order_id);"
     "CREATE TABLE sent_notifications ("
     " event_id TEXT PRIMARY KEY,"
     " kind TEXT NOT NULL,"
     " recipient TEXT NOT NULL,"
     " message_id TEXT NOT NULL,"
     " sent_at INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
}};

}  // namespace

std::span<const sqlite::Migration> NotificationsMigrations() { return kMigrations; }

}  // namespace logistics::notifications::infrastructure
