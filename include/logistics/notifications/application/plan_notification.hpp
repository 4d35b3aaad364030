// PlanNotification: step 1 of handling an event (see notification_plan.hpp):
// read what is known, decide what to do.
//
// DecideNotification is the decision itself, a pure function of the event and
// what the projection and sent_notifications held when it was read;
// PlanNotification reads those through the ports and calls it.
//
// The rules:
//  - Projection updates: an event's `order` facts update the order's contact,
//    its `payment` facts the payment's contact, whatever the type (every
//    ORDERS event carries the full order, every PAYMENTS event the full
//    payment). An older version never overwrites a newer one; that is decided
//    when recording, not here.
//  - The kind of mail, by type: order created / paid / dispatched / delivered
//    / cancelled and payment refunded notify; every other type does not
//    (kNotNotifying).
//  - Never twice: an event already in sent_notifications gets kAlreadySent.
//  - Order events are written from the event's own data: every event carries
//    the full order, so even a late (older) event tells its customer what it
//    says. No customer_email (null or blank) -> kNoEmailAddress. The paid
//    mail shows the amount of the payment named by data.payment_id when the
//    projection knows that payment (the PAYMENTS stream is consumed on its
//    own and may lag; the mail then goes without the amount line).
//  - A refund needs the order's contact from the projection (payments events
//    carry no customer): unknown order -> kOrderUnknown; no e-mail ->
//    kNoEmailAddress. The amount, currency and reason come from the event.
//
// Ownership: PlanNotification borrows its ports. Thread-safety: an instance is
// used by one thread at a time; DecideNotification is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "logistics/notifications/application/event_facts.hpp"
#include "logistics/notifications/application/notification_plan.hpp"
#include "logistics/notifications/application/notification_result.hpp"
#include "logistics/notifications/application/ports/contact_projection.hpp"
#include "logistics/notifications/application/ports/sent_notifications.hpp"

namespace logistics::notifications::application {

// What was stored when the event was planned.
struct KnownState {
  // The stored contact of the order a refund is about (its
  // payment.order_id); unused for other events.
  std::optional<domain::OrderContact> order;
  // The stored contact of the payment an order's paid event names
  // (facts.payment_id); unused otherwise.
  std::optional<domain::PaymentContact> payment;
  // sent_notifications holds the event.
  bool already_sent = false;
};

// The plan for `facts` given `known`. Mails carry
// MessageIdFor(facts.event_id, message_id_domain). Never fails.
NotificationPlan DecideNotification(const EventFacts& facts, const KnownState& known,
                                    std::string_view message_id_domain);

class PlanNotification {
 public:
  PlanNotification(ContactProjection& contacts, SentNotifications& sent,
                   std::string message_id_domain)
      : contacts_(contacts), sent_(sent), message_id_domain_(std::move(message_id_domain)) {}

  // Reads what DecideNotification needs (only that: WasSent, the order of a
  // refund, the payment of a paid event) and decides. Fails only with
  // PortError, when a read fails; nothing is written either way.
  NotificationResult<NotificationPlan> Execute(const EventFacts& facts);

 private:
  ContactProjection& contacts_;
  SentNotifications& sent_;
  std::string message_id_domain_;
};

}  // namespace logistics::notifications::application
