// EventNotifier: how the notifications service turns events into e-mails,
// exactly once per event.
//
// It plugs into a shared EventConsumer in two steps:
//  1. before the transaction (consumer thread): read the event's facts, plan
//     with the projection as committed (read-only connection), and if a mail is
//     due and not already sent, send it. A transient send failure naks the
//     event (redelivered with backoff); a permanent one (5xx: bad mailbox)
//     dead-letters it; a refund for an order not known yet is retried until
//     the ORDERS event has been consumed (then dead-lettered).
//  2. in the transaction (writer thread): record the projection updates and
//     the sent_notifications row, with the inbox row, in one commit.
// A redelivered event finds its sent_notifications row (step 1 sends nothing)
// or its inbox row (step 2 does nothing). If the process dies between the
// SMTP server's acceptance and the commit, the redelivery sends the mail again
// under the same Message-ID (<event-id@domain>), which lets mail systems drop
// the copy: the one window of at-least-once, documented in the README.
//
// Both steps reach storage through the NotificationStore port
// (notification_storage.hpp), never an adapter.
//
// Ownership: borrows the sender and the clock; owns the storage openers. Thread-safety:
// the two steps of one event run one after the other (the consumer waits for
// the commit before the next event), so one pending plan at a time.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/projection_rebuild.hpp"
#include "logistics/notifications/application/notification_plan.hpp"
#include "logistics/notifications/application/ports/mail_sender.hpp"
#include "logistics/notifications/application/record_notification.hpp"
#include "logistics/notifications/presentation/notification_storage.hpp"

namespace logistics::notifications::presentation {

// How --rebuild-projections re-derives the contacts (order_contacts,
// payment_contacts) from both streams; sent notifications are effects and are
// left as they are. The caller adds the scratch database's schema
// (spec.schema).
messaging::ProjectionRebuildSpec ContactsRebuild(OpenContactProjection open_contacts);

class EventNotifier {
 public:
  EventNotifier(NotificationStorage storage, application::MailSender& sender,
                const common::Clock& clock, std::string message_id_domain);

  messaging::SideEffect BeforeTransaction();
  messaging::EventHandler InTransaction();

 private:
  messaging::HandlerResult Prepare(const messaging::ConsumedEvent& event);
  messaging::HandlerResult Record(sqlite::Database& transaction,
                                  const messaging::ConsumedEvent& event);

  struct Pending {
    application::NotificationPlan plan;
    application::MailOutcome outcome;
  };

  const NotificationStorage storage_;
  application::MailSender& sender_;
  const common::Clock& clock_;
  const std::string message_id_domain_;
  std::mutex mutex_;
  std::optional<Pending> pending_;  // the plan of the event in flight
};

}  // namespace logistics::notifications::presentation
