#include "logistics/notifications/application/record_notification.hpp"

namespace logistics::notifications::application {

NotificationResult<RecordOutcome> RecordNotification::Execute(const NotificationPlan& plan,
                                                              MailOutcome outcome) {
  RecordOutcome recorded;
  if (plan.updates.order) {
    auto stored = contacts_.RecordOrder(*plan.updates.order);
    if (!stored) return Failed(stored.error());
    recorded.order_recorded = *stored;
  }
  if (plan.updates.payment) {
    auto stored = contacts_.RecordPayment(*plan.updates.payment);
    if (!stored) return Failed(stored.error());
    recorded.payment_recorded = *stored;
  }

  const PlannedMail* mail = plan.mail();
  bool sent = false;
  switch (outcome) {
    case MailOutcome::kSent:
      sent = mail != nullptr;
      break;
    case MailOutcome::kNotSent:
      break;
  }
  if (sent) {
    auto stored = sent_.Record(SentNotification{plan.event_id, mail->kind, mail->mail.to_address,
                                                mail->message_id, clock_.Now()});
    if (!stored) return Failed(stored.error());
    recorded.sent_recorded = *stored;
  }
  return recorded;
}

}  // namespace logistics::notifications::application
