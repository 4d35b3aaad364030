// SqlitePaymentRepository: PaymentRepository over the payments table.
//
// Used with the writer's connection inside a command's or event's transaction,
// and with read-only connections for queries. Storage failures become PortError.
//
// Ownership: borrows the Database. Thread-safety: that of the connection.
#pragma once

#include "logistics/payments/application/ports/payment_repository.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::payments::infrastructure {

class SqlitePaymentRepository final : public application::PaymentRepository {
 public:
  explicit SqlitePaymentRepository(sqlite::Database& db) : db_(db) {}

  application::PaymentResult<std::optional<domain::Payment>> FindById(
      std::string_view payment_id) override;
  application::PaymentResult<application::PaymentPage> List(
      const application::PaymentListQuery& query) override;
  application::PaymentResult<std::vector<domain::Payment>> FindByOrder(
      std::string_view order_id) override;

 private:
  sqlite::Database& db_;
};

}  // namespace logistics::payments::infrastructure
