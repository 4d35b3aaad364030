// SqliteOrderProjection: OrderProjection over the order_view table.
//
// Record replaces a row only with a strictly newer version, so events that
// arrive late or twice never move the view backwards.
//
// Ownership: borrows the Database. Thread-safety: that of the connection.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/payments/application/ports/order_projection.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::payments::infrastructure {

class SqliteOrderProjection final : public application::OrderProjection {
 public:
  SqliteOrderProjection(sqlite::Database& db, const common::Clock& clock) : db_(db), clock_(clock) {}

  application::PaymentResult<std::optional<domain::OrderView>> Find(
      std::string_view order_id) override;
  application::PaymentResult<bool> Record(const domain::OrderView& view) override;

 private:
  sqlite::Database& db_;
  const common::Clock& clock_;
};

}  // namespace logistics::payments::infrastructure
