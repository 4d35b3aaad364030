#include "logistics/replay/stored_events.hpp"

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>

namespace logistics::replay {
namespace {

using common::Unexpected;
using nlohmann::json;

constexpr std::chrono::seconds kRequestTimeout{5};
// JetStream's "no message found" (JSNoMessageFoundErr).
constexpr int kNoMessageFound = 10037;

// The API carries a message's data and headers in standard base64.
std::optional<std::string> DecodeBase64(const std::string& text) {
  static const std::array<int, 256> kValues = [] {
    std::array<int, 256> values{};
    values.fill(-1);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
      values[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    return values;
  }();
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned int buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int value = kValues[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6U) | static_cast<unsigned int>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned int>(bits)) & 0xFFU));
    }
  }
  return out;
}

// The event id of a stored message: its CloudEvent's id, as the consumers
// and the importer name an event; else its Nats-Msg-Id header.
std::string EventIdOf(const json& message) {
  if (auto data = DecodeBase64(message.value("data", std::string()))) {
    const json event = json::parse(*data, nullptr, false);
    if (event.is_object() && event.contains("id") && event["id"].is_string())
      return event["id"].get<std::string>();
  }
  if (auto headers = DecodeBase64(message.value("hdrs", std::string()))) {
    static const std::string kName = "\r\nNats-Msg-Id:";
    if (const auto at = headers->find(kName); at != std::string::npos) {
      const auto start = headers->find_first_not_of(' ', at + kName.size());
      const auto end = headers->find("\r\n", start);
      if (start != std::string::npos && end != std::string::npos)
        return headers->substr(start, end - start);
    }
  }
  return {};
}

}  // namespace

common::Result<std::optional<StoredEvents::StoredMessage>, ReplayError> StoredEvents::Get(
    const std::string& stream, const std::string& request) {
  ++requests_;
  auto reply = connection_.Request("$JS.API.STREAM.MSG.GET." + stream, request, kRequestTimeout);
  if (!reply) {
    return Unexpected{ReplayError{
        ReplayErrorKind::kNats,
        "cannot ask stream " + stream + " which events it holds: " + reply.error().message}};
  }
  const json answer = json::parse(reply->data(), nullptr, false);
  if (!answer.is_object()) {
    return Unexpected{ReplayError{ReplayErrorKind::kNats,
                                  "stream " + stream + ": JetStream's answer is not JSON"}};
  }
  if (const auto error = answer.find("error"); error != answer.end() && error->is_object()) {
    if (error->value("err_code", 0) == kNoMessageFound) return std::optional<StoredMessage>();
    return Unexpected{ReplayError{
        ReplayErrorKind::kNats,
        "stream " + stream + ": " + error->value("description", std::string("refused"))}};
  }
  const auto message = answer.find("message");
  if (message == answer.end() || !message->is_object()) {
    return Unexpected{ReplayError{ReplayErrorKind::kNats,
                                  "stream " + stream + ": JetStream's answer has no message"}};
  }
  return std::optional<StoredMessage>(
      StoredMessage{message->value("seq", std::uint64_t{0}), EventIdOf(*message)});
}

common::Result<void, ReplayError> StoredEvents::ReadAll(const std::string& stream,
                                                        const std::string& subject,
                                                        Subject& known) {
  std::uint64_t next = 1;
  for (;;) {
    auto got = Get(stream, json{{"seq", next}, {"next_by_subj", subject}}.dump());
    if (!got) return Unexpected{got.error()};
    if (!*got) break;
    known.ids.insert((*got)->event_id);
    next = (*got)->sequence + 1;
  }
  known.complete = true;
  return {};
}

common::Result<bool, ReplayError> StoredEvents::Holds(const std::string& stream,
                                                      const std::string& subject,
                                                      const std::string& event_id) {
  auto [entry, first_time] = subjects_.try_emplace({stream, subject});
  Subject& known = entry->second;
  if (known.ids.count(event_id) != 0) return true;
  if (known.complete) return false;
  if (first_time) {
    auto last = Get(stream, json{{"last_by_subj", subject}}.dump());
    if (!last) return Unexpected{last.error()};
    if (!*last) {
      known.complete = true;  // nothing on the subject
      return false;
    }
    known.ids.insert((*last)->event_id);
    if ((*last)->event_id == event_id) return true;
  }
  // The subject holds other events than the last one looked at: all of them, once.
  if (auto read = ReadAll(stream, subject, known); !read) return Unexpected{read.error()};
  return known.ids.count(event_id) != 0;
}

void StoredEvents::Remember(const std::string& stream, const std::string& subject,
                            const std::string& event_id) {
  subjects_[{stream, subject}].ids.insert(event_id);
}

}  // namespace logistics::replay
