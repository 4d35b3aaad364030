// SentNotifications: which events have had their mail sent, and to whom.
//
// One record per event whose mail a MailSender accepted, keyed by the event's
// CloudEvent id. It is written in the same transaction as the event's inbox
// row, after the send; it outlives the inbox's retention (rows are never
// deleted), so even an event replayed long after (a stream replay, a copy
// under another Nats-Msg-Id) is recognised and sends nothing. It is also the
// audit trail: which customer was told what, when, under which Message-ID.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/time.hpp"
#include "logistics/notifications/application/notification_result.hpp"
#include "logistics/notifications/domain/notification_kind.hpp"

namespace logistics::notifications::application {

struct SentNotification {
  std::string event_id;  // the CloudEvent id
  domain::NotificationKind kind = domain::NotificationKind::kOrderCreated;
  std::string recipient;   // the address the mail went to
  std::string message_id;  // "<event-id@domain>", see message_id.hpp
  common::Timestamp sent_at;

  bool operator==(const SentNotification&) const = default;
};

class SentNotifications {
 public:
  virtual ~SentNotifications() = default;

  // True when a notification was recorded for this event id. Fails only with
  // PortError.
  virtual NotificationResult<bool> WasSent(std::string_view event_id) = 0;

  // Records that the mail of `sent.event_id` was sent. Returns true when it
  // was recorded, false when that event id already had a record (the first
  // one is kept unchanged). Fails only with PortError.
  virtual NotificationResult<bool> Record(const SentNotification& sent) = 0;

  // The record of this event id, or nullopt. Fails only with PortError.
  virtual NotificationResult<std::optional<SentNotification>> Find(std::string_view event_id) = 0;
};

}  // namespace logistics::notifications::application
