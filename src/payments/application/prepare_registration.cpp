#include "logistics/payments/application/prepare_registration.hpp"

namespace logistics::payments::application {

common::Result<RegisterPaymentCommand, RegistrationBlocked> PrepareRegistration::Execute(
    RegisterPaymentCommand command) {
  const auto seen = projection_.Find(command.order_id);
  if (seen && seen->has_value()) return command;

  using Outcome = OrderLookup::Outcome;
  OrderLookup lookup = directory_.Find(command.order_id);
  switch (lookup.outcome) {
    case Outcome::kFound:
      command.fetched_order = std::move(lookup.order);
      return command;
    case Outcome::kNotFound:
      return common::Unexpected{RegistrationBlocked{domain::Reject(
          domain::PaymentError::kOrderNotFound, "order " + command.order_id + " not found")}};
    case Outcome::kUnavailable:
      break;
  }
  return common::Unexpected{RegistrationBlocked{OrdersUnavailable{
      "order " + command.order_id +
          " is not known here yet and the orders service cannot be asked: " + lookup.detail,
      lookup.detail}}};
}

}  // namespace logistics::payments::application
