#include "logistics/notifications/domain/compose_mail.hpp"

#include <string_view>

namespace logistics::notifications::domain {
namespace {

// A field goes into one line of the subject or body: a line break typed into
// it must not start a new line there.
std::string OneLine(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      line += ' ';
    } else {
      line += c;
    }
  }
  return line;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

struct Details {
  std::string paragraph;
  std::string lines;  // each ending in "\n"; may be empty
};

std::string AmountLine(std::string_view label, const std::optional<PaymentContact>& payment) {
  if (!payment) return {};
  return std::string(label) + ": " + OneLine(payment->amount) + " " + OneLine(payment->currency) +
         "\n";
}

std::string ReasonLine(const std::optional<std::string>& reason) {
  if (!reason || IsBlank(*reason)) return {};
  return "Reason: " + OneLine(*reason) + "\n";
}

Details DetailsFor(NotificationKind kind, const OrderContact& order,
                   const std::optional<PaymentContact>& payment,
                   const std::optional<std::string>& reason) {
  switch (kind) {
    case NotificationKind::kOrderCreated:
      return {"Thank you for your order. We will let you know when it is on its way.", {}};
    case NotificationKind::kOrderPaid:
      return {"We have received the payment for your order.", AmountLine("Amount paid", payment)};
    case NotificationKind::kOrderDispatched:
      return {"Your order has left " + OneLine(order.origin) + " and is on its way to " +
                  OneLine(order.destination) + ".",
              {}};
    case NotificationKind::kOrderDelivered:
      return {"Your order has been delivered in " + OneLine(order.destination) + ".", {}};
    case NotificationKind::kOrderCancelled:
      return {
          "Your order has been cancelled. If you had paid for it, your payment will be "
          "refunded and we will write to you again.",
          ReasonLine(reason)};
    case NotificationKind::kPaymentRefunded:
      return {"We have refunded your payment for this order.",
              AmountLine("Amount refunded", payment) + ReasonLine(reason)};
  }
  return {};  // unreachable: the switch covers every kind
}

}  // namespace

std::string SubjectFor(NotificationKind kind, const OrderContact& order) {
  const std::string tracking = OneLine(order.tracking_number);
  switch (kind) {
    case NotificationKind::kOrderCreated:
      return "Your order " + tracking + " was created";
    case NotificationKind::kOrderPaid:
      return "Your order " + tracking + " is paid";
    case NotificationKind::kOrderDispatched:
      return "Your order " + tracking + " is on its way";
    case NotificationKind::kOrderDelivered:
      return "Your order " + tracking + " was delivered";
    case NotificationKind::kOrderCancelled:
      return "Your order " + tracking + " was cancelled";
    case NotificationKind::kPaymentRefunded:
      return "Your payment for order " + tracking + " was refunded";
  }
  return "Your order " + tracking;  // unreachable: the switch covers every kind
}

Mail ComposeMail(NotificationKind kind, const OrderContact& order,
                 const std::optional<PaymentContact>& payment,
                 const std::optional<std::string>& reason) {
  const Details details = DetailsFor(kind, order, payment, reason);
  const std::string name = OneLine(order.customer_name);

  std::string body = IsBlank(name) ? "Hello,\n" : "Hello " + name + ",\n";
  body += "\n";
  body += details.paragraph + "\n";
  body += "\n";
  body += "Tracking number: " + OneLine(order.tracking_number) + "\n";
  body += "Route: " + OneLine(order.origin) + " \u2192 " + OneLine(order.destination) + "\n";
  body += details.lines;
  body += "\n";
  body += "Kind regards,\n";
  body += "Logistics\n";

  return Mail{order.customer_email.value_or(std::string()), name, SubjectFor(kind, order),
              std::move(body)};
}

}  // namespace logistics::notifications::domain
