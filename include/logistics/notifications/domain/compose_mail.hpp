// ComposeMail: the words of every customer notification.
//
// A pure function from what happened (the kind), to whom (the order's
// contact) and with what details (the payment, a reason) to a Mail. The texts
// are plain English, UTF-8 as given (names such as "Zoë Łukasiewicz" and
// places such as "São Paulo" appear unchanged), and every body names the
// customer, the tracking number and the route.
//
// Subjects, exactly (T is the tracking number):
//   kOrderCreated     "Your order T was created"
//   kOrderPaid        "Your order T is paid"
//   kOrderDispatched  "Your order T is on its way"
//   kOrderDelivered   "Your order T was delivered"
//   kOrderCancelled   "Your order T was cancelled"
//   kPaymentRefunded  "Your payment for order T was refunded"
//
// Body, for every kind:
//   Hello <customer_name>,            ("Hello," when the name is blank)
//   <blank line>
//   <one paragraph per kind, below>
//   <blank line>
//   Tracking number: <T>
//   Route: <origin> → <destination>
//   <detail lines, below>
//   <blank line>
//   Kind regards,
//   Logistics
// Paragraphs and detail lines:
//   kOrderCreated     "Thank you for your order. We will let you know when it
//                      is on its way."
//   kOrderPaid        "We have received the payment for your order."
//                     "Amount paid: <amount> <currency>" when the payment is known
//   kOrderDispatched  "Your order has left <origin> and is on its way to
//                      <destination>."
//   kOrderDelivered   "Your order has been delivered in <destination>."
//   kOrderCancelled   "Your order has been cancelled. If you had paid for it,
//                      your payment will be refunded and we will write to you
//                      again."  +  "Reason: <reason>" when there is one
//   kPaymentRefunded  "We have refunded your payment for this order."
//                     "Amount refunded: <amount> <currency>" when the payment
//                     is known, "Reason: <reason>" when there is one
// (Each paragraph is one line; a mail reader wraps it.) A payment is shown
// only for kOrderPaid and kPaymentRefunded and a reason only for
// kOrderCancelled and kPaymentRefunded; other kinds ignore them. Line breaks
// inside a field (a reason typed over two lines) become spaces, so a field
// never breaks the layout or the subject line.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "logistics/notifications/domain/mail.hpp"
#include "logistics/notifications/domain/notification_kind.hpp"
#include "logistics/notifications/domain/order_contact.hpp"
#include "logistics/notifications/domain/payment_contact.hpp"

namespace logistics::notifications::domain {

// The mail telling the order's customer about `kind`. to_address is the
// order's customer_email (empty when it has none: callers check first, see
// PlanNotification), to_name its customer_name. Never fails.
Mail ComposeMail(NotificationKind kind, const OrderContact& order,
                 const std::optional<PaymentContact>& payment,
                 const std::optional<std::string>& reason);

// The subject line alone, as listed above.
std::string SubjectFor(NotificationKind kind, const OrderContact& order);

}  // namespace logistics::notifications::domain
