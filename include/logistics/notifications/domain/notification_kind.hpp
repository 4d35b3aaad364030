// NotificationKind: which customer notification a mail is.
//
// One kind per event a customer hears about (see compose_mail.hpp for the
// texts). The text form ("order_created", ...) is what sent_notifications
// stores and logs show; it is stable, so rows written by one version of the
// service are read by the next.
//
// Thread-safety: a closed enum and pure functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace logistics::notifications::domain {

enum class NotificationKind {
  kOrderCreated,
  kOrderPaid,
  kOrderDispatched,
  kOrderDelivered,
  kOrderCancelled,
  kPaymentRefunded,
};

inline constexpr std::array<NotificationKind, 6> kAllNotificationKinds = {
    NotificationKind::kOrderCreated,    NotificationKind::kOrderPaid,
    NotificationKind::kOrderDispatched, NotificationKind::kOrderDelivered,
    NotificationKind::kOrderCancelled,  NotificationKind::kPaymentRefunded};

// "order_created", "order_paid", "order_dispatched", "order_delivered",
// "order_cancelled", "payment_refunded".
std::string_view ToString(NotificationKind kind);

// The inverse of ToString; nullopt for any other text (case-sensitive).
std::optional<NotificationKind> ParseNotificationKind(std::string_view text);

}  // namespace logistics::notifications::domain
