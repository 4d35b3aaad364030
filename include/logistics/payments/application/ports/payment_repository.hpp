// PaymentRepository: the port through which use cases read payments.
//
// Implementations: a SQLite repository (infrastructure), reading through the
// writer's connection inside a command's transaction or through a read-only
// connection for queries; InMemoryPaymentRepository (tests/support).
//
// Every method fails only with a PortError (storage failure); "not found" is
// an empty optional or an empty list, not a failure.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/aggregate_service/application/keyset_page.hpp"
#include "logistics/payments/application/payment_failure.hpp"
#include "logistics/payments/domain/payment.hpp"

namespace logistics::payments::application {

// Filters of a list of payments, and the page asked for (newest first).
struct PaymentListQuery : aggregate_service::KeysetPosition {
  std::optional<std::string> order_id;  // exact match
  std::optional<domain::PaymentStatus> status;
};

using PaymentPage = aggregate_service::KeysetPage<domain::PaymentSnapshot>;

class PaymentRepository {
 public:
  virtual ~PaymentRepository() = default;

  virtual PaymentResult<std::optional<domain::Payment>> FindById(std::string_view payment_id) = 0;

  // Payments matching the query, at most query.limit of them, newest first
  // (payment ids are UUIDv7, so id order is registration order).
  virtual PaymentResult<PaymentPage> List(const PaymentListQuery& query) = 0;

  // Every payment of the order, whatever its status, oldest (smallest
  // payment_id) first; empty when the order has none. Used by compensation,
  // which must see all of them, so there is no limit: an order has a handful
  // of payments, not thousands.
  virtual PaymentResult<std::vector<domain::Payment>> FindByOrder(std::string_view order_id) = 0;
};

}  // namespace logistics::payments::application
