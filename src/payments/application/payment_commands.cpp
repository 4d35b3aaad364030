#include "logistics/payments/application/payment_commands.hpp"

#include <utility>

namespace logistics::payments::application {
namespace {

using domain::Currency;
using domain::Money;
using domain::OrderView;
using domain::Payment;
using domain::PaymentError;
using domain::PaymentRejection;
using domain::PaymentSnapshot;
using domain::PaymentStatus;

using aggregate_service::Propagate;

common::Result<Currency, PaymentRejection> CurrencyOf(const std::optional<std::string>& text) {
  if (!text) return Currency::Default();
  return Currency::Parse(*text);
}

// Saves the payment with the events it recorded. A command that recorded none
// (confirming a CONFIRMED payment) changed nothing, so there is nothing to
// write and no version to check.
PaymentResult<void> SaveRecorded(PaymentUnitOfWork& unit_of_work, Payment& payment) {
  const auto events = payment.TakeEvents();
  if (events.empty()) return {};
  return unit_of_work.Save(payment, events);
}

// Loads the payment, lets `change` apply one aggregate command, and saves the
// change with its events. Confirm, fail and refund have this shape.
template <typename Change>
PaymentResult<PaymentSnapshot> ChangePayment(const PaymentCommandPorts& ports,
                                             const std::string& payment_id, Change change) {
  auto found = ports.payments.FindById(payment_id);
  if (!found) return Propagate(found.error());
  if (!*found) {
    return Rejected(
        domain::Reject(PaymentError::kPaymentNotFound, "payment " + payment_id + " not found"));
  }
  Payment payment = std::move(**found);
  if (auto changed = change(payment, ports.clock.Now()); !changed) {
    return Rejected(changed.error());
  }
  if (auto saved = SaveRecorded(ports.unit_of_work, payment); !saved) {
    return Propagate(saved.error());
  }
  return payment.snapshot();
}

}  // namespace

PaymentResult<PaymentSnapshot> RegisterPayment::Execute(RegisterPaymentCommand command) {
  // Validate the request before any read, so a bad one never touches storage
  // and the client hears about its own mistakes (400) before the order's
  // state (404/409).
  auto amount = Money::Parse(command.amount);
  if (!amount) return Rejected(amount.error());
  auto currency = CurrencyOf(command.currency);
  if (!currency) return Rejected(currency.error());

  auto stored = ports_.orders.Find(command.order_id);
  if (!stored) return Propagate(stored.error());
  std::optional<OrderView> order = std::move(*stored);

  // The fetched answer fills a gap in the projection, and also wins over a
  // stored view it is newer than: the orders service's own answer is fresher
  // than events still on their way. Recording it keeps the projection's
  // promise (never older over newer) and saves asking again.
  std::optional<OrderView>& fetched = command.fetched_order;
  if (fetched && fetched->order_id == command.order_id &&
      (!order || fetched->version > order->version)) {
    auto recorded = ports_.orders.Record(*fetched);
    if (!recorded) return Propagate(recorded.error());
    if (*recorded) order = std::move(fetched);
  }

  if (!order) {
    return Rejected(domain::Reject(PaymentError::kOrderNotFound,
                                   "order " + command.order_id + " not found"));
  }
  if (!domain::IsPayable(*order)) {
    return Rejected(domain::Reject(
        PaymentError::kOrderNotPayable,
        "cannot register a payment for order " + command.order_id + ": it is " + order->status +
            ", and only an order that is not CANCELLED, IN_TRANSIT or DELIVERED can be paid"));
  }

  auto registered = Payment::Register(ids_.NextId(), std::move(command.order_id), *amount,
                                      std::move(*currency), ports_.clock.Now());
  if (!registered) return Rejected(registered.error());
  Payment& payment = *registered;
  if (auto saved = SaveRecorded(ports_.unit_of_work, payment); !saved) {
    return Propagate(saved.error());
  }
  return payment.snapshot();
}

PaymentResult<PaymentSnapshot> ConfirmPayment::Execute(const std::string& payment_id) {
  return ChangePayment(ports_, payment_id,
                       [](Payment& payment, common::Timestamp now) { return payment.Confirm(now); });
}

PaymentResult<PaymentSnapshot> FailPayment::Execute(const std::string& payment_id,
                                                    std::string reason) {
  return ChangePayment(ports_, payment_id, [&](Payment& payment, common::Timestamp now) {
    return payment.Fail(std::move(reason), now);
  });
}

PaymentResult<PaymentSnapshot> RefundPayment::Execute(const std::string& payment_id,
                                                      std::optional<std::string> reason) {
  return ChangePayment(ports_, payment_id, [&](Payment& payment, common::Timestamp now) {
    return payment.Refund(std::move(reason), now);
  });
}

PaymentResult<std::vector<PaymentSnapshot>> ApplyOrderEvent::Execute(const OrderView& view_after_event,
                                                                     bool cancelled) {
  // Whether the view was applied does not matter below (see the header): a
  // stale or repeated view is simply not stored.
  if (auto recorded = ports_.orders.Record(view_after_event); !recorded) {
    return Propagate(recorded.error());
  }
  std::vector<PaymentSnapshot> changed;
  if (!cancelled) return changed;

  auto payments = ports_.payments.FindByOrder(view_after_event.order_id);
  if (!payments) return Propagate(payments.error());
  const common::Timestamp now = ports_.clock.Now();
  for (Payment& payment : *payments) {
    common::Result<void, PaymentRejection> compensated;
    switch (payment.status()) {
      case PaymentStatus::kPending:
        compensated = payment.Fail(std::string(kOrderCancelledReason), now);
        break;
      case PaymentStatus::kConfirmed:
        compensated = payment.Refund(std::string(kOrderCancelledReason), now);
        break;
      case PaymentStatus::kFailed:    // already compensated, or failed before
      case PaymentStatus::kRefunded:  // the money went back already
        continue;
    }
    // The status was checked just above and the reason is a valid constant,
    // so the aggregate cannot refuse; should it ever, its reason goes up
    // rather than being swallowed.
    if (!compensated) return Rejected(compensated.error());
    if (auto saved = SaveRecorded(ports_.unit_of_work, payment); !saved) {
      return Propagate(saved.error());
    }
    changed.push_back(payment.snapshot());
  }
  return changed;
}

}  // namespace logistics::payments::application
