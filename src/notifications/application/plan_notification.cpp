#include "logistics/notifications/application/plan_notification.hpp"

#include <utility>

#include "logistics/notifications/application/message_id.hpp"
#include "logistics/notifications/domain/compose_mail.hpp"

namespace logistics::notifications::application {
namespace {

using domain::NotificationKind;

std::optional<NotificationKind> KindOf(std::string_view type) {
  if (type == kOrderCreatedType) return NotificationKind::kOrderCreated;
  if (type == kOrderPaidType) return NotificationKind::kOrderPaid;
  if (type == kOrderDispatchedType) return NotificationKind::kOrderDispatched;
  if (type == kOrderDeliveredType) return NotificationKind::kOrderDelivered;
  if (type == kOrderCancelledType) return NotificationKind::kOrderCancelled;
  if (type == kPaymentRefundedType) return NotificationKind::kPaymentRefunded;
  return std::nullopt;
}

bool HasAddress(const domain::OrderContact& order) {
  return order.customer_email &&
         order.customer_email->find_first_not_of(" \t") != std::string::npos;
}

NoMail Skip(NoMailReason reason, std::string detail) { return NoMail{reason, std::move(detail)}; }

// Which order the mail of a notifying event is about, and the payment it shows.
struct Subject {
  const domain::OrderContact* order = nullptr;
  std::optional<domain::PaymentContact> payment;
};

}  // namespace

NotificationPlan DecideNotification(const EventFacts& facts, const KnownState& known,
                                    std::string_view message_id_domain) {
  NotificationPlan plan;
  plan.event_id = facts.event_id;
  plan.updates.order = facts.order;
  plan.updates.payment = facts.payment;

  const std::optional<NotificationKind> kind = KindOf(facts.type);
  if (!kind) {
    plan.decision = Skip(NoMailReason::kNotNotifying, facts.type + " does not notify customers");
    return plan;
  }
  if (known.already_sent) {
    plan.decision = Skip(NoMailReason::kAlreadySent,
                         "the mail of event " + facts.event_id + " was already sent");
    return plan;
  }

  Subject subject;
  switch (*kind) {
    case NotificationKind::kOrderCreated:
    case NotificationKind::kOrderDispatched:
    case NotificationKind::kOrderDelivered:
    case NotificationKind::kOrderCancelled:
      subject.order = facts.order ? &*facts.order : nullptr;
      break;
    case NotificationKind::kOrderPaid:
      subject.order = facts.order ? &*facts.order : nullptr;
      // Only a payment of this very order may put its amount in the mail.
      if (known.payment && facts.payment_id && known.payment->payment_id == *facts.payment_id &&
          facts.order && known.payment->order_id == facts.order->order_id) {
        subject.payment = known.payment;
      }
      break;
    case NotificationKind::kPaymentRefunded:
      if (facts.payment && known.order && known.order->order_id == facts.payment->order_id) {
        subject.order = &*known.order;
      }
      subject.payment = facts.payment;
      if (subject.order == nullptr) {
        const std::string order_id = facts.payment ? facts.payment->order_id : "(none)";
        plan.decision = Skip(NoMailReason::kOrderUnknown,
                             facts.type + ": order " + order_id + " is not in the projection");
        return plan;
      }
      break;
  }
  if (subject.order == nullptr) {
    // A known order type without its order: the transport rejects such an
    // event before planning, so this is only a safe answer to misuse.
    plan.decision = Skip(NoMailReason::kNotNotifying, facts.type + " carries no order");
    return plan;
  }
  if (!HasAddress(*subject.order)) {
    plan.decision =
        Skip(NoMailReason::kNoEmailAddress,
             facts.type + ": order " + subject.order->order_id + " has no customer_email");
    return plan;
  }

  plan.decision =
      PlannedMail{*kind, domain::ComposeMail(*kind, *subject.order, subject.payment, facts.reason),
                  MessageIdFor(facts.event_id, message_id_domain)};
  return plan;
}

NotificationResult<NotificationPlan> PlanNotification::Execute(const EventFacts& facts) {
  KnownState known;
  auto sent = sent_.WasSent(facts.event_id);
  if (!sent) return Failed(sent.error());
  known.already_sent = *sent;

  // Only the refund needs the order and only the paid mail the payment: other
  // events read nothing more.
  if (facts.type == kPaymentRefundedType && facts.payment) {
    auto order = contacts_.FindOrder(facts.payment->order_id);
    if (!order) return Failed(order.error());
    known.order = std::move(*order);
  }
  if (facts.type == kOrderPaidType && facts.payment_id) {
    auto payment = contacts_.FindPayment(*facts.payment_id);
    if (!payment) return Failed(payment.error());
    known.payment = std::move(*payment);
  }
  return DecideNotification(facts, known, message_id_domain_);
}

}  // namespace logistics::notifications::application
