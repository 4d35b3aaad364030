// PrepareRegistration: the step of registering a payment that runs before the
// command is queued, on the transport's thread: make sure payments can tell
// whether the order exists, without the writer ever waiting on the network.
//
// When the projection (read as committed) knows the order, the command goes
// on as it is: RegisterPayment checks the order's status in its transaction.
// When it does not (or cannot be read: asking orders is then the safe way
// on), the OrderDirectory is asked: a found order travels with the command
// (RegisterPaymentCommand::fetched_order); an order orders does not know is
// rejected now (kOrderNotFound, answered 404); an orders service that cannot
// be asked makes the registration unavailable (answered 503, with the
// detail), since payments cannot tell "unknown" from "not yet seen".
//
// Ownership: borrows the projection and the directory. Thread-safety: one
// thread at a time (the projection's rule).
#pragma once

#include <string>
#include <variant>

#include "logistics/common/result.hpp"
#include "logistics/payments/application/payment_commands.hpp"
#include "logistics/payments/application/ports/order_directory.hpp"
#include "logistics/payments/application/ports/order_projection.hpp"

namespace logistics::payments::application {

// The orders service could not be asked about an order payments has not seen.
struct OrdersUnavailable {
  std::string message;  // for the 503 reply: names the order and the cause
  std::string detail;   // the directory's detail alone, for the log
};

using RegistrationBlocked = std::variant<domain::PaymentRejection, OrdersUnavailable>;

class PrepareRegistration {
 public:
  PrepareRegistration(OrderProjection& projection, const OrderDirectory& directory)
      : projection_(projection), directory_(directory) {}

  // The command, with fetched_order set when the directory was asked and found
  // the order; or kOrderNotFound ("order <id> not found"); or
  // OrdersUnavailable. Precondition: command.fetched_order is empty.
  common::Result<RegisterPaymentCommand, RegistrationBlocked> Execute(
      RegisterPaymentCommand command);

 private:
  OrderProjection& projection_;
  const OrderDirectory& directory_;
};

}  // namespace logistics::payments::application
