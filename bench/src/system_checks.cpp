#include "system_checks.hpp"

#include <stdexcept>
#include <thread>
#include <unordered_set>

namespace logistics::bench {
namespace {

std::string AggregateId(std::string_view subject) {
  // "<context>.events.<aggregate id>.<name>"
  const auto first = subject.find('.');
  const auto second = subject.find('.', first + 1);
  const auto third = subject.find('.', second + 1);
  return std::string(subject.substr(second + 1, third - second - 1));
}

std::uint64_t StreamMessages(jsCtx* js, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) != NATS_OK) return 0;
  const std::uint64_t messages = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return messages;
}

}  // namespace

StreamCheckResult CheckStream(natsConnection* connection, const std::string& stream,
                              const std::string& filter, std::uint64_t expected,
                              std::chrono::seconds timeout) {
  jsCtx* js = nullptr;
  if (natsConnection_JetStream(&js, connection, nullptr) != NATS_OK) {
    throw std::runtime_error("cannot create a JetStream context");
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (StreamMessages(js, stream) < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::uint64_t total = StreamMessages(js, stream);

  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Ordered = true;
  options.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* subscription = nullptr;
  if (js_SubscribeSync(&subscription, js, filter.c_str(), nullptr, &options, nullptr) != NATS_OK) {
    jsCtx_Destroy(js);
    throw std::runtime_error("cannot read stream " + stream + ": " + nats_GetLastError(nullptr));
  }
  natsSubscription_SetPendingLimits(subscription, -1, -1);
  StreamCheckResult result;
  std::unordered_set<std::string> aggregates;
  aggregates.reserve(expected);
  // Every message of the stream was counted above; stop when they are all
  // read, or when none comes for a few seconds (fewer match the filter).
  while (result.messages < total) {
    natsMsg* message = nullptr;
    if (natsSubscription_NextMsg(&message, subscription, 3000) != NATS_OK) break;
    ++result.messages;
    aggregates.insert(AggregateId(natsMsg_GetSubject(message)));
    natsMsg_Destroy(message);
  }
  natsSubscription_Unsubscribe(subscription);
  natsSubscription_Destroy(subscription);
  jsCtx_Destroy(js);
  result.distinct_subjects = aggregates.size();
  result.ok = result.messages == expected && result.distinct_subjects == expected;
  return result;
}

std::string ServiceStatus(natsConnection* connection, const std::string& service) {
  natsMsg* reply = nullptr;
  const std::string subject = service + ".query.status";
  if (natsConnection_RequestString(&reply, connection, subject.c_str(), "{}", 5000) != NATS_OK) {
    throw std::runtime_error("no reply from " + subject);
  }
  std::string body(natsMsg_GetData(reply), static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
  natsMsg_Destroy(reply);
  return body;
}

}  // namespace logistics::bench
