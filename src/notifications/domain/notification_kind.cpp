#include "logistics/notifications/domain/notification_kind.hpp"

namespace logistics::notifications::domain {

std::string_view ToString(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kOrderCreated:
      return "order_created";
    case NotificationKind::kOrderPaid:
      return "order_paid";
    case NotificationKind::kOrderDispatched:
      return "order_dispatched";
    case NotificationKind::kOrderDelivered:
      return "order_delivered";
    case NotificationKind::kOrderCancelled:
      return "order_cancelled";
    case NotificationKind::kPaymentRefunded:
      return "payment_refunded";
  }
  return "unknown";  // unreachable: the switch covers every kind
}

std::optional<NotificationKind> ParseNotificationKind(std::string_view text) {
  for (const NotificationKind kind : kAllNotificationKinds) {
    if (ToString(kind) == text) return kind;
  }
  return std::nullopt;
}

}  // namespace logistics::notifications::domain
