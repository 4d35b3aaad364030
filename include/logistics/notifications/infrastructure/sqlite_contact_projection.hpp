// SqliteContactProjection: ContactProjection over the order_contacts and
// payment_contacts tables (notifications_schema.hpp).
//
// Record* decides and writes in one statement (an upsert whose update applies
// only to a strictly newer version), so events that arrive late or twice never
// move a contact backwards. Used with the writer's connection inside the
// event's transaction, or with a read-only connection to plan. Storage
// failures become PortError naming the table.
//
// Ownership: borrows the Database and the clock (for updated_at).
// Thread-safety: that of the connection.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/notifications/application/ports/contact_projection.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::notifications::infrastructure {

class SqliteContactProjection final : public application::ContactProjection {
 public:
  SqliteContactProjection(sqlite::Database& db, const common::Clock& clock)
      : db_(db), clock_(clock) {}

  application::NotificationResult<std::optional<domain::OrderContact>> FindOrder(
      std::string_view order_id) override;
  application::NotificationResult<bool> RecordOrder(const domain::OrderContact& contact) override;
  application::NotificationResult<std::optional<domain::PaymentContact>> FindPayment(
      std::string_view payment_id) override;
  application::NotificationResult<bool> RecordPayment(
      const domain::PaymentContact& contact) override;

 private:
  sqlite::Database& db_;
  const common::Clock& clock_;
};

}  // namespace logistics::notifications::infrastructure
