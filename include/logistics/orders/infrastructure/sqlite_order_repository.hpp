// SqliteOrderRepository: OrderRepository over the orders table.
//
// Used with the writer's connection inside a command's transaction (so a
// command reads what it will build on) and with read-only connections for
// queries. Storage failures become PortError.
//
// Ownership: borrows the Database. Thread-safety: that of the connection.
#pragma once

#include "logistics/orders/application/ports/order_repository.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::orders::infrastructure {

class SqliteOrderRepository final : public application::OrderRepository {
 public:
  explicit SqliteOrderRepository(sqlite::Database& db) : db_(db) {}

  application::OrderResult<std::optional<domain::Order>> FindById(
      std::string_view order_id) override;
  application::OrderResult<std::optional<domain::Order>> FindByTrackingNumber(
      std::string_view tracking_number) override;
  application::OrderResult<application::OrderPage> List(
      const application::OrderListQuery& query) override;

 private:
  application::OrderResult<std::optional<domain::Order>> FindOne(std::string_view sql,
                                                                 std::string_view key);
  sqlite::Database& db_;
};

}  // namespace logistics::orders::infrastructure
