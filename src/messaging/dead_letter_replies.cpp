#include "logistics/messaging/dead_letter_replies.hpp"

#include <nlohmann/json.hpp>

#include "logistics/json/json_text.hpp"
#include "logistics/messaging/list_cursor.hpp"

namespace logistics::messaging {
namespace {

using Json = nlohmann::ordered_json;

Json Item(const StoredDeadLetter& letter, const Json& event) {
  Json item;
  item["consumer"] = letter.consumer;
  item["event_id"] = letter.event_id;
  const auto type = json::StringMember(event, "type");
  item["type"] = type ? Json(*type) : Json(nullptr);
  item["subject"] = letter.subject;
  item["stream_sequence"] = letter.stream_sequence;
  item["deliveries"] = letter.deliveries;
  item["error"] = letter.error;
  item["dead_lettered_at"] = common::FormatRfc3339(letter.dead_lettered_at);
  item["requeues"] = letter.requeues;
  item["last_requeued_at"] = letter.last_requeued_at
                                 ? Json(common::FormatRfc3339(*letter.last_requeued_at))
                                 : Json(nullptr);
  return item;
}

Json EventOf(const StoredDeadLetter& letter) {
  Json event = Json::parse(letter.payload, nullptr, false);
  return event.is_discarded() ? Json(nullptr) : event;
}

}  // namespace

std::string DeadLetterPageReply(const std::vector<StoredDeadLetter>& page, std::size_t limit) {
  Json items = Json::array();
  for (std::size_t i = 0; i < page.size() && i < limit; ++i) {
    items.push_back(Item(page[i], EventOf(page[i])));
  }
  Json reply;
  reply["dead_letters"] = std::move(items);
  reply["next_cursor"] =
      page.size() > limit && limit > 0 ? Json(EncodeRowCursor(page[limit - 1].id)) : Json(nullptr);
  return json::Serialize(reply);
}

std::string DeadLetterShowReply(const StoredDeadLetter& letter) {
  const Json event = EventOf(letter);
  Json reply = Item(letter, event);
  reply["event"] = event.is_object() ? event : Json(nullptr);
  if (!event.is_object()) reply["payload"] = letter.payload;
  return json::Serialize(reply);
}

std::string DeadLetterResolvedReply(const StoredDeadLetter& letter, DeadLetterOutcome outcome,
                                    const DeadLetterActor& actor, common::Timestamp at) {
  const bool discarded = outcome == DeadLetterOutcome::kDiscarded;
  Json reply;
  reply["consumer"] = letter.consumer;
  reply["event_id"] = letter.event_id;
  reply["outcome"] = std::string(DeadLetterOutcomeName(outcome));
  reply[discarded ? "discarded_at" : "requeued_at"] = common::FormatRfc3339(at);
  reply["by"] = actor.by;
  reply["reason"] = actor.reason;
  return json::Serialize(reply);
}

}  // namespace logistics::messaging
