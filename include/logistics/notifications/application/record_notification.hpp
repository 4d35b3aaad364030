// RecordNotification: step 3 of handling an event (see notification_plan.hpp):
// write what the plan and the send left to write, in the caller's transaction.
//
// The caller runs it on the writer's connection inside the event's
// transaction, together with the event's inbox row, after the send succeeded
// (or when no mail was due), so the projection updates, the sent
// notification and the inbox row commit together or not at all. A failure
// means: roll back, let the event be redelivered.
//
// The window: a mail the server accepted is recorded only when this
// transaction commits. A crash or a failed commit in between leaves the event
// unrecorded, so its redelivery sends the mail again: at least once, not
// exactly once, over that window. The copy carries the same Message-ID
// (message_id.hpp), which lets mail systems and readers recognise it.
//
// Ownership: borrows its ports and the clock. Thread-safety: an instance is
// used by one thread at a time (the writer's).
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/notifications/application/notification_plan.hpp"
#include "logistics/notifications/application/notification_result.hpp"
#include "logistics/notifications/application/ports/contact_projection.hpp"
#include "logistics/notifications/application/ports/sent_notifications.hpp"

namespace logistics::notifications::application {

// Whether the plan's mail went out.
enum class MailOutcome {
  kSent,     // the MailSender accepted it (or the plan had none to send)
  kNotSent,  // the send failed permanently and the caller keeps the event's
             // projection updates anyway (no sent notification is recorded)
};

struct RecordOutcome {
  bool order_recorded = false;    // the order contact was newer and stored
  bool payment_recorded = false;  // the payment contact was newer and stored
  bool sent_recorded = false;     // a sent notification was stored

  bool operator==(const RecordOutcome&) const = default;
};

class RecordNotification {
 public:
  RecordNotification(ContactProjection& contacts, SentNotifications& sent,
                     const common::Clock& clock)
      : contacts_(contacts), sent_(sent), clock_(clock) {}

  // Records plan.updates (each only if newer than the stored contact) and,
  // when the plan has a mail and `outcome` is kSent, the SentNotification
  // {plan.event_id, kind, mail.to_address, message_id, clock.Now()}. Fails
  // only with PortError; what was written before the failure is left to the
  // caller's rollback.
  NotificationResult<RecordOutcome> Execute(const NotificationPlan& plan, MailOutcome outcome);

 private:
  ContactProjection& contacts_;
  SentNotifications& sent_;
  const common::Clock& clock_;
};

}  // namespace logistics::notifications::application
