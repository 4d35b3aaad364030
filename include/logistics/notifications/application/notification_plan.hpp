// NotificationPlan: what one consumed event should do, decided before anything
// is done.
//
// Handling an event has three steps, because sending a mail is a network
// effect that must not happen inside the database transaction (it cannot be
// rolled back, and the single writer must never wait on the network):
//   1. plan   (PlanNotification, reads only): which projection updates the
//             event brings, and whether a mail is due;
//   2. send   (MailSender, no transaction): only when a mail is due;
//   3. record (RecordNotification, in the event's transaction, with its inbox
//             row): the projection updates, and the sent notification when
//             the mail was sent.
// A plan is a plain value carried from step 1 to step 3.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "logistics/notifications/domain/mail.hpp"
#include "logistics/notifications/domain/notification_kind.hpp"
#include "logistics/notifications/domain/order_contact.hpp"
#include "logistics/notifications/domain/payment_contact.hpp"

namespace logistics::notifications::application {

// What the event writes into the projection; each is recorded only if newer
// than what is stored (ContactProjection::RecordOrder / RecordPayment).
struct ProjectionUpdates {
  std::optional<domain::OrderContact> order;
  std::optional<domain::PaymentContact> payment;

  bool operator==(const ProjectionUpdates&) const = default;
};

// A mail that is due: send `mail` under `message_id`, then record it as `kind`.
struct PlannedMail {
  domain::NotificationKind kind = domain::NotificationKind::kOrderCreated;
  domain::Mail mail;
  std::string message_id;  // MessageIdFor(event id, domain)

  bool operator==(const PlannedMail&) const = default;
};

// Why no mail is due. Closed: a switch over it has no default.
enum class NoMailReason {
  kNotNotifying,    // the event type tells customers nothing (assigned, registered,
                    // confirmed, failed, or a type this service does not know)
  kNoEmailAddress,  // the order has no customer_email (logged, not an error)
  kOrderUnknown,    // a refund of an order the projection has not seen: nobody to
                    // write to (the ORDERS event may not have been consumed yet;
                    // the caller may retry a few times before giving up)
  kAlreadySent,     // sent_notifications already holds this event: never twice
};

// "not_notifying", "no_email_address", "order_unknown", "already_sent".
std::string_view ToString(NoMailReason reason);

struct NoMail {
  NoMailReason reason = NoMailReason::kNotNotifying;
  std::string detail;  // one sentence for the log, naming the event type and the order

  bool operator==(const NoMail&) const = default;
};

struct NotificationPlan {
  std::string event_id;
  ProjectionUpdates updates;
  std::variant<PlannedMail, NoMail> decision;

  // The mail that is due, or nullptr when none is.
  const PlannedMail* mail() const { return std::get_if<PlannedMail>(&decision); }
  // Why no mail is due, or nullptr when one is.
  const NoMail* no_mail() const { return std::get_if<NoMail>(&decision); }

  bool operator==(const NotificationPlan&) const = default;
};

}  // namespace logistics::notifications::application
