#include "logistics/notifications/presentation/event_notifier.hpp"

#include "logistics/json/json_text.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/messaging/fault_injection.hpp"
#include "logistics/notifications/application/plan_notification.hpp"

namespace logistics::notifications::presentation {
namespace {

using messaging::HandlerResult;

// The facts of an event, or nullopt when the event lacks what its type promises.
std::optional<application::EventFacts> ReadFacts(const messaging::ConsumedEvent& event) {
  const nlohmann::json& cloud_event = event.cloud_event;
  application::EventFacts facts;
  facts.event_id = event.event_id;
  facts.type = json::StringMember(cloud_event, "type").value_or("");
  const auto data = cloud_event.find("data");
  const auto version = cloud_event.find("aggregateversion");
  if (data == cloud_event.end() || !data->is_object() || version == cloud_event.end() ||
      !version->is_number_integer()) {
    return std::nullopt;
  }
  facts.reason = json::StringMember(*data, "reason");
  if (facts.type.starts_with("logistics.order.")) {
    domain::OrderContact order;
    auto id = json::StringMember(*data, "order_id");
    auto tracking = json::StringMember(*data, "tracking_number");
    auto name = json::StringMember(*data, "customer_name");
    auto origin = json::StringMember(*data, "origin");
    auto destination = json::StringMember(*data, "destination");
    auto status = json::StringMember(*data, "status");
    if (!id || !tracking || !name || !origin || !destination || !status) return std::nullopt;
    order = domain::OrderContact{*id, *tracking, *name, json::StringMember(*data, "customer_email"),
                                 *origin, *destination, *status, version->get<std::int64_t>()};
    facts.order = std::move(order);
    facts.payment_id = json::StringMember(*data, "payment_id");
  } else if (facts.type.starts_with("logistics.payment.")) {
    auto id = json::StringMember(*data, "payment_id");
    auto order_id = json::StringMember(*data, "order_id");
    auto amount = json::StringMember(*data, "amount");
    auto currency = json::StringMember(*data, "currency");
    if (!id || !order_id || !amount || !currency) return std::nullopt;
    facts.payment = domain::PaymentContact{*id, *order_id, *amount, *currency,
                                           version->get<std::int64_t>()};
  }
  return facts;
}

}  // namespace

EventNotifier::EventNotifier(NotificationStorage storage, application::MailSender& sender,
                             const common::Clock& clock, std::string message_id_domain)
    : storage_(std::move(storage)),
      sender_(sender),
      clock_(clock),
      message_id_domain_(std::move(message_id_domain)) {}

messaging::SideEffect EventNotifier::BeforeTransaction() {
  return [this](const messaging::ConsumedEvent& event) { return Prepare(event); };
}

messaging::EventHandler EventNotifier::InTransaction() {
  return [this](sqlite::Database& transaction, const messaging::ConsumedEvent& event) {
    return Record(transaction, event);
  };
}

HandlerResult EventNotifier::Prepare(const messaging::ConsumedEvent& event) {
  const auto facts = ReadFacts(event);
  if (!facts) return HandlerResult::Reject("an event without the data its type promises");
  application::NotificationPlan plan;
  {
    const auto committed = storage_.for_reading();
    auto planned = application::PlanNotification(committed->contacts(), committed->sent(),
                                                 message_id_domain_)
                       .Execute(*facts);
    if (!planned) return HandlerResult::Retry(planned.error().message);
    plan = std::move(*planned);
  }
  const std::string correlation = event.cloud_event.value("correlationid", std::string());
  if (const auto* none = plan.no_mail()) {
    if (none->reason == application::NoMailReason::kOrderUnknown) {
      // Not a failure: the ORDERS event that brings the order may still be on
      // its way (a lagging projection). Held without spending a delivery.
      return HandlerResult::Wait(none->detail);
    }
    if (none->reason == application::NoMailReason::kNoEmailAddress) {
      // Routine (an order may come without an address): a line per event
      // would bury the log in a busy system, so only at debug.
      logging::Debug("no e-mail sent: the order has no customer_email",
                    {{"event_id", event.event_id}, {"detail", none->detail},
                     {"correlation_id", correlation}});
    }
  } else if (const auto* mail = plan.mail()) {
    auto sent = sender_.Send(mail->mail, mail->message_id);
    if (!sent) {
      if (sent.error().transient) return HandlerResult::Retry(sent.error().message);
      return HandlerResult::Reject("permanent mail failure: " + sent.error().message);
    }
    // Test only: die with the mail out and its record not yet committed, the
    // one window where a redelivery sends it again (see record_notification.hpp).
    if (messaging::FaultEnabled("exit-after-mail")) messaging::CrashNow("exit-after-mail");
    // Per event, so debug: each sent mail is recorded in sent_notifications
    // (and the consumer's processed count); the log keeps the exceptions.
    logging::Debug("e-mail sent",
                  {{"event_id", event.event_id},
                   {"kind", std::string(domain::ToString(mail->kind))},
                   {"message_id", mail->message_id},
                   {"order_id", plan.updates.order ? plan.updates.order->order_id : std::string()},
                   {"correlation_id", correlation}});
  }
  std::lock_guard lock(mutex_);
  pending_ = Pending{std::move(plan), application::MailOutcome::kSent};
  return HandlerResult::Applied();
}

HandlerResult EventNotifier::Record(sqlite::Database& transaction,
                                    const messaging::ConsumedEvent& event) {
  std::optional<Pending> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(pending_);
  }
  if (!pending || pending->plan.event_id != event.event_id) {
    return HandlerResult::Retry("no prepared notification for this event");
  }
  const auto store = storage_.in_transaction(transaction, {});
  auto recorded = application::RecordNotification(store->contacts(), store->sent(), clock_)
                      .Execute(pending->plan, pending->outcome);
  if (!recorded) return HandlerResult::Retry(recorded.error().message);
  return HandlerResult::Applied();
}

messaging::ProjectionRebuildSpec ContactsRebuild(OpenContactProjection open_contacts) {
  messaging::ProjectionRebuildSpec spec;
  spec.sources = {{"ORDERS", "orders.events.>"}, {"PAYMENTS", "payments.events.>"}};
  spec.tables = {"order_contacts", "payment_contacts"};
  spec.apply = [open_contacts = std::move(open_contacts)](sqlite::Database& scratch,
                                                          const messaging::ConsumedEvent& event) {
    const auto facts = ReadFacts(event);
    if (!facts) return HandlerResult::Ignored();  // dead-lettered by the live consumer too
    const auto contacts = open_contacts(scratch);
    if (facts->order) {
      if (auto done = contacts->RecordOrder(*facts->order); !done) {
        return HandlerResult::Retry(done.error().message);
      }
    }
    if (facts->payment) {
      if (auto done = contacts->RecordPayment(*facts->payment); !done) {
        return HandlerResult::Retry(done.error().message);
      }
    }
    return HandlerResult::Applied();
  };
  return spec;
}

}  // namespace logistics::notifications::presentation
