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

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/payments/application/payment_failure.hpp"
#include "logistics/payments/domain/payment.hpp"

namespace logistics::payments::application {

// Filters and keyset position for listing payments, newest first.
struct PaymentListQuery {
  std::optional<std::string> order_id;           // exact match
  std::optional<domain::PaymentStatus> status;
  std::size_t limit = 50;                        // 1..500, checked by the caller
  std::optional<std::string> before_payment_id;  // keyset: only ids < this one
};

struct PaymentPage {
  std::vector<domain::PaymentSnapshot> payments;  // newest (largest payment_id) first
  bool has_more = false;  // true when payments after the last one match too
};

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
