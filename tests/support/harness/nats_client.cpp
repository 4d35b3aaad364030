#include "support/harness/nats_client.hpp"

#include "support/harness/contract_recorder.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string_view>
#include <utility>

#include "support/harness/eventually.hpp"

namespace logistics::testing {

namespace {

constexpr std::chrono::milliseconds kTransientRetry = std::chrono::seconds(10);

std::string Describe(natsStatus status) {
  std::string text = natsStatus_GetText(status);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0') text += std::string(" (") + detail + ")";
  return text;
}

// The one place where an unexpected nats.c status becomes a test failure.
#define HARNESS_NATS_CHECK(call, what)                                               \
  do {                                                                               \
    const natsStatus harness_status_ = (call);                                       \
    if (harness_status_ != NATS_OK) FAIL(what << ": " << Describe(harness_status_)); \
  } while (false)

// Statuses that mean "not reachable right now" rather than "wrong".
bool IsTransient(natsStatus status) {
  return status == NATS_TIMEOUT || status == NATS_NO_RESPONDERS ||
         status == NATS_CONNECTION_DISCONNECTED || status == NATS_NOT_YET_CONNECTED;
}

Headers ReadHeaders(natsMsg* message) {
  Headers headers;
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(message, &keys, &count) != NATS_OK) return headers;  // no headers
  // nats.c hands over the array (not the strings): free it with free().
  std::unique_ptr<const char*, decltype(&std::free)> owned_keys(keys, &std::free);
  for (int i = 0; i < count; ++i) {
    const char* value = nullptr;
    if (natsMsgHeader_Get(message, keys[i], &value) == NATS_OK && value != nullptr) {
      headers.emplace(keys[i], value);
    } else {
      headers.emplace(keys[i], "");
    }
  }
  return headers;
}

std::string ReadData(natsMsg* message) {
  const char* data = natsMsg_GetData(message);
  const int length = natsMsg_GetDataLength(message);
  return data != nullptr && length > 0 ? std::string(data, static_cast<size_t>(length))
                                       : std::string();
}

// The message, or nullptr with the reason in `error`. Asserts nothing (see
// TryRequest).
NatsMessagePtr TryMakeMessage(const std::string& subject, const std::string& body,
                              const Headers& headers, std::string& error) {
  natsMsg* raw = nullptr;
  natsStatus status =
      natsMsg_Create(&raw, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
  NatsMessagePtr message(raw);
  if (status != NATS_OK) {
    error = "cannot create a message on " + subject + ": " + Describe(status);
    return nullptr;
  }
  for (const auto& [name, value] : headers) {
    status = natsMsgHeader_Set(message.get(), name.c_str(), value.c_str());
    if (status != NATS_OK) {
      error = "cannot set header " + name + " on a message to " + subject + ": " + Describe(status);
      return nullptr;
    }
  }
  return message;
}

NatsMessagePtr MakeMessage(const std::string& subject, const std::string& body,
                           const Headers& headers) {
  std::string error;
  NatsMessagePtr message = TryMakeMessage(subject, body, headers, error);
  if (!message) FAIL(error);
  return message;
}

nlohmann::json ParseJson(const std::string& text, const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    FAIL(what << " is not JSON (" << error.what() << "): " << text);
  }
  return {};  // not reached: FAIL throws
}

std::vector<std::string> Tokens(const std::string& subject) {
  std::vector<std::string> tokens;
  std::stringstream stream(subject);
  std::string token;
  while (std::getline(stream, token, '.')) tokens.push_back(token);
  return tokens;
}

}  // namespace

bool SubjectMatches(const std::string& filter, const std::string& subject) {
  const std::vector<std::string> filter_tokens = Tokens(filter);
  const std::vector<std::string> subject_tokens = Tokens(subject);
  for (size_t i = 0; i < filter_tokens.size(); ++i) {
    if (filter_tokens[i] == ">") return subject_tokens.size() > i;
    if (i >= subject_tokens.size()) return false;
    if (filter_tokens[i] != "*" && filter_tokens[i] != subject_tokens[i]) return false;
  }
  return filter_tokens.size() == subject_tokens.size();
}

int Reply::Status() const {
  if (timed_out) return 408;
  if (no_responders) return 503;
  auto code = headers.find("Nats-Service-Error-Code");
  if (code == headers.end()) {
    // Tolerate another spelling, so a test reports the code rather than 200.
    code = std::find_if(headers.begin(), headers.end(), [](const auto& header) {
      return std::equal(header.first.begin(), header.first.end(),
                        std::string_view("nats-service-error-code").begin(),
                        std::string_view("nats-service-error-code").end(),
                        [](char a, char b) { return std::tolower(a) == b; });
    });
  }
  if (code == headers.end()) return 200;
  int value = 0;
  const std::string& text = code->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

nlohmann::json Reply::Json() const {
  if (timed_out) FAIL("the request timed out, there is no body to parse");
  if (no_responders) FAIL("the request found no responders, there is no body to parse");
  return ParseJson(body, "the reply body");
}

nlohmann::json StreamMessage::Json() const {
  return ParseJson(data, ("stream message " + std::to_string(sequence) + " on " + subject).c_str());
}

nlohmann::json Received::Json() const {
  return ParseJson(data, ("the message on " + subject).c_str());
}

// ---- Subscription ----

struct Subscription::State {
  mutable std::mutex mutex;
  std::condition_variable completed_changed;
  std::vector<Received> messages;
  bool completed = false;  // nats.c will not call OnMessage any more
};

Subscription::Subscription(std::unique_ptr<State> state, NatsSubscriptionPtr handle)
    : state_(std::move(state)), handle_(std::move(handle)) {}

Subscription::Subscription(Subscription&& other) noexcept = default;

Subscription::~Subscription() {
  if (!handle_) return;  // moved from
  // Unsubscribe closes the subscription; nats.c then calls OnComplete once
  // the handler has returned for the last time. If the connection is already
  // closed, so is the subscription, and OnComplete has run or will run.
  natsSubscription_Unsubscribe(handle_.get());
  std::unique_lock lock(state_->mutex);
  const bool completed = state_->completed_changed.wait_for(lock, std::chrono::seconds(10),
                                                            [this] { return state_->completed; });
  lock.unlock();
  handle_.reset();
  // Freeing the state under a handler that might still run would be worse
  // than leaking it; nats.c has always confirmed in practice.
  if (!completed) static_cast<void>(state_.release());
}

void Subscription::OnMessage(natsConnection*, natsSubscription*, natsMsg* raw,
                             void* closure) noexcept {
  NatsMessagePtr message(raw);
  auto* state = static_cast<State*>(closure);
  try {
    const char* reply = natsMsg_GetReply(message.get());
    Received received{natsMsg_GetSubject(message.get()), reply != nullptr ? reply : "",
                      ReadHeaders(message.get()), ReadData(message.get())};
    RecordMessage(received.subject, received.headers, received.data);
    std::lock_guard lock(state->mutex);
    state->messages.push_back(std::move(received));
  } catch (...) {
    // Nothing may unwind into nats.c; a lost message shows up as a failed wait.
  }
}

void Subscription::OnComplete(void* closure) noexcept {
  auto* state = static_cast<State*>(closure);
  std::lock_guard lock(state->mutex);
  state->completed = true;
  state->completed_changed.notify_all();
}

std::vector<Received> Subscription::Messages() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages;
}

size_t Subscription::Count() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages.size();
}

// ---- NatsClient ----

NatsClient::NatsClient(const std::string& url, const std::string& name, const std::string& user,
                       const std::string& password, const std::string& inbox_prefix) {
  natsOptions* raw_options = nullptr;
  HARNESS_NATS_CHECK(natsOptions_Create(&raw_options), "cannot create NATS options");
  options_.reset(raw_options);
  // nats.c 3.4 takes a comma-separated list only in natsConnection_ConnectTo;
  // natsOptions_SetURL would take it as one URL that reaches nobody.
  std::vector<std::string> urls;
  for (std::size_t start = 0; start <= url.size();) {
    const std::size_t comma = std::min(url.find(',', start), url.size());
    const std::size_t begin = url.find_first_not_of(' ', start);
    const std::size_t end = url.find_last_not_of(' ', comma - 1);
    if (begin < comma && end != std::string::npos && end >= begin) {
      urls.push_back(url.substr(begin, end - begin + 1));
    }
    start = comma + 1;
  }
  std::vector<const char*> servers;
  for (const std::string& one : urls) servers.push_back(one.c_str());
  HARNESS_NATS_CHECK(
      natsOptions_SetServers(options_.get(), servers.data(), static_cast<int>(servers.size())),
      "bad NATS URL " << url);
  HARNESS_NATS_CHECK(natsOptions_SetName(options_.get(), name.c_str()), "cannot name the client");
  if (!user.empty()) {
    HARNESS_NATS_CHECK(natsOptions_SetUserInfo(options_.get(), user.c_str(), password.c_str()),
                       "cannot set the NATS user");
  }
  if (!inbox_prefix.empty()) {
    HARNESS_NATS_CHECK(natsOptions_SetCustomInboxPrefix(options_.get(), inbox_prefix.c_str()),
                       "cannot set the inbox prefix " << inbox_prefix);
  }
  // Reconnect quickly and forever: tests restart servers and expect clients
  // to follow without waiting nats.c's default two seconds.
  HARNESS_NATS_CHECK(natsOptions_SetMaxReconnect(options_.get(), -1), "cannot set reconnects");
  HARNESS_NATS_CHECK(natsOptions_SetReconnectWait(options_.get(), 100), "cannot set reconnects");
  HARNESS_NATS_CHECK(natsOptions_SetTimeout(options_.get(), 2000), "cannot set connect timeout");

  natsConnection* raw_connection = nullptr;
  HARNESS_NATS_CHECK(natsConnection_Connect(&raw_connection, options_.get()),
                     "cannot connect to NATS at " << url
                                                  << (user.empty() ? "" : " as " + user));
  connection_.reset(raw_connection);

  jsCtx* raw_jetstream = nullptr;
  HARNESS_NATS_CHECK(natsConnection_JetStream(&raw_jetstream, connection_.get(), nullptr),
                     "cannot create a JetStream context");
  jetstream_.reset(raw_jetstream);
}

NatsClient::~NatsClient() = default;

Reply NatsClient::Request(const std::string& subject, const std::string& body,
                          const Headers& headers, std::chrono::milliseconds timeout) {
  Reply result = TryRequest(subject, body, headers, timeout);
  if (!result.error.empty()) FAIL(result.error);
  return result;
}

Reply NatsClient::TryRequest(const std::string& subject, const std::string& body,
                             const Headers& headers, std::chrono::milliseconds timeout) {
  Reply result;
  const NatsMessagePtr request = TryMakeMessage(subject, body, headers, result.error);
  if (!request) return result;
  natsMsg* raw_reply = nullptr;
  const natsStatus status =
      natsConnection_RequestMsg(&raw_reply, connection_.get(), request.get(), timeout.count());
  const NatsMessagePtr reply(raw_reply);
  if (status == NATS_TIMEOUT) {
    result.timed_out = true;
  } else if (status == NATS_NO_RESPONDERS) {
    result.no_responders = true;
  } else if (status != NATS_OK) {
    result.error = "request on " + subject + " failed: " + Describe(status);
  } else {
    result.body = ReadData(reply.get());
    result.headers = ReadHeaders(reply.get());
    RecordReply(subject, result.headers, result.body);
  }
  return result;
}

void NatsClient::Publish(const std::string& subject, const std::string& body,
                         const Headers& headers) {
  const NatsMessagePtr message = MakeMessage(subject, body, headers);
  HARNESS_NATS_CHECK(natsConnection_PublishMsg(connection_.get(), message.get()),
                     "cannot publish on " << subject);
  HARNESS_NATS_CHECK(natsConnection_FlushTimeout(connection_.get(), 5000),
                     "cannot flush after publishing on " << subject);
}

bool NatsClient::PublishToStream(const std::string& subject, const std::string& body,
                                 const Headers& headers) {
  const NatsMessagePtr message = MakeMessage(subject, body, headers);
  jsPubAck* raw = nullptr;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  HARNESS_NATS_CHECK(js_PublishMsg(&raw, jetstream_.get(), message.get(), nullptr, &error_code),
                     "cannot publish to a stream on " << subject << " (JetStream error "
                                                      << error_code << ")");
  const PubAckPtr ack(raw);
  return !ack->Duplicate;
}

StreamInfoPtr NatsClient::StreamInfo(const std::string& stream) {
  StreamInfoPtr info;
  natsStatus status = NATS_OK;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  Eventually(
      [&] {
        jsStreamInfo* raw = nullptr;
        error_code = static_cast<jsErrCode>(0);
        status = js_GetStreamInfo(&raw, jetstream_.get(), stream.c_str(), nullptr, &error_code);
        info.reset(raw);
        return !IsTransient(status);
      },
      kTransientRetry, std::chrono::milliseconds(50));
  if (status == NATS_NOT_FOUND || error_code == JSStreamNotFoundErr) return nullptr;
  if (status != NATS_OK) {
    FAIL("cannot read the info of stream " << stream << ": " << Describe(status)
                                           << " (JetStream error " << error_code << ")");
  }
  return info;
}

bool NatsClient::StreamExists(const std::string& stream) { return StreamInfo(stream) != nullptr; }

uint64_t NatsClient::StreamMessageCount(const std::string& stream) {
  const StreamInfoPtr info = StreamInfo(stream);
  return info ? info->State.Msgs : 0;
}

uint64_t NatsClient::StreamLastSequence(const std::string& stream) {
  const StreamInfoPtr info = StreamInfo(stream);
  return info ? info->State.LastSeq : 0;
}

std::vector<StreamMessage> NatsClient::ReadStream(const std::string& stream,
                                                  const std::string& subject_filter) {
  std::vector<StreamMessage> messages;
  const StreamInfoPtr info = StreamInfo(stream);
  if (!info) return messages;
  // One direct "get message" per sequence: simple, exact, and independent of
  // consumers (a test stream holds few messages).
  const uint64_t first = std::max<uint64_t>(info->State.FirstSeq, 1);
  for (uint64_t sequence = first; sequence <= info->State.LastSeq; ++sequence) {
    NatsMessagePtr message;
    natsStatus status = NATS_OK;
    jsErrCode error_code = static_cast<jsErrCode>(0);
    Eventually(
        [&] {
          natsMsg* raw = nullptr;
          status =
              js_GetMsg(&raw, jetstream_.get(), stream.c_str(), sequence, nullptr, &error_code);
          message.reset(raw);
          return !IsTransient(status);
        },
        kTransientRetry, std::chrono::milliseconds(50));
    if (status == NATS_NOT_FOUND) continue;  // deleted (or purged meanwhile)
    if (status != NATS_OK) {
      FAIL("cannot read message " << sequence << " of stream " << stream << ": " << Describe(status)
                                  << " (JetStream error " << error_code << ")");
    }
    const std::string subject = natsMsg_GetSubject(message.get());
    if (!SubjectMatches(subject_filter, subject)) continue;
    messages.push_back(
        StreamMessage{sequence, subject, ReadHeaders(message.get()), ReadData(message.get())});
    RecordStreamMessage(stream, subject, messages.back().headers, messages.back().data);
  }
  return messages;
}

Subscription NatsClient::Subscribe(const std::string& subject) {
  auto state = std::make_unique<Subscription::State>();
  natsSubscription* raw = nullptr;
  HARNESS_NATS_CHECK(natsConnection_Subscribe(&raw, connection_.get(), subject.c_str(),
                                              &Subscription::OnMessage, state.get()),
                     "cannot subscribe to " << subject);
  NatsSubscriptionPtr handle(raw);
  HARNESS_NATS_CHECK(
      natsSubscription_SetOnCompleteCB(handle.get(), &Subscription::OnComplete, state.get()),
      "cannot watch the subscription to " << subject);
  // The server must know the subscription before the test publishes.
  HARNESS_NATS_CHECK(natsConnection_FlushTimeout(connection_.get(), 5000),
                     "cannot flush the subscription to " << subject);
  return Subscription(std::move(state), std::move(handle));
}

bool NatsClient::Connected() const {
  return natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED;
}

}  // namespace logistics::testing

#undef HARNESS_NATS_CHECK
