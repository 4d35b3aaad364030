#include "async_requester.hpp"

#include <stdexcept>

namespace logistics::bench {
namespace {

void Check(natsStatus status, const char* what) {
  if (status != NATS_OK) {
    throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(status) + " " +
                             nats_GetLastError(nullptr));
  }
}

}  // namespace

natsConnection* ConnectSendingAtOnce(const std::string& url) {
  natsOptions* options = nullptr;
  Check(natsOptions_Create(&options), "nats options");
  natsOptions_SetURL(options, url.c_str());
  natsOptions_SetSendAsap(options, true);
  natsOptions_SetMaxPendingMsgs(options, 1'000'000);
  natsConnection* connection = nullptr;
  const natsStatus status = natsConnection_Connect(&connection, options);
  natsOptions_Destroy(options);
  Check(status, "connect to NATS");
  return connection;
}

AsyncRequester::AsyncRequester(natsConnection* connection) : connection_(connection) {
  natsInbox* inbox = nullptr;
  Check(natsInbox_Create(&inbox), "create inbox");
  inbox_prefix_ = std::string(inbox) + ".";
  natsInbox_Destroy(inbox);
  Check(natsConnection_Subscribe(&subscription_, connection_, (inbox_prefix_ + "*").c_str(),
                                 &AsyncRequester::OnReply, this),
        "subscribe to the reply inbox");
  // A bench may have hundreds of thousands of replies queued at once.
  natsSubscription_SetPendingLimits(subscription_, -1, -1);
}

AsyncRequester::~AsyncRequester() {
  // Drain, not unsubscribe: it returns only once no callback is running, so
  // none can touch its owner's state after this.
  if (natsSubscription_Drain(subscription_) == NATS_OK) {
    natsSubscription_WaitForDrainCompletion(subscription_, 5000);
  }
  natsSubscription_Destroy(subscription_);
}

bool AsyncRequester::Send(const std::string& subject, const std::string& body, Callback callback) {
  std::uint64_t token = 0;
  const auto sent = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    token = next_token_++;
    pending_.emplace(token, Pending{sent, std::move(callback)});
  }
  const std::string reply = inbox_prefix_ + std::to_string(token);
  const natsStatus status = natsConnection_PublishRequest(
      connection_, subject.c_str(), reply.c_str(), body.data(), static_cast<int>(body.size()));
  if (status == NATS_OK) return true;
  std::lock_guard lock(mutex_);
  pending_.erase(token);
  return false;
}

std::size_t AsyncRequester::InFlight() {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void AsyncRequester::OnReply(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
  auto& self = *static_cast<AsyncRequester*>(closure);
  const auto received = std::chrono::steady_clock::now();
  const std::string_view subject = natsMsg_GetSubject(message);
  const std::uint64_t token = std::stoull(std::string(subject.substr(self.inbox_prefix_.size())));
  Pending pending;
  {
    std::lock_guard lock(self.mutex_);
    auto found = self.pending_.find(token);
    if (found == self.pending_.end()) {  // a second reply: not ours to count
      natsMsg_Destroy(message);
      return;
    }
    pending = std::move(found->second);
    self.pending_.erase(found);
  }
  Reply reply;
  reply.latency = received - pending.sent;
  if (const char* data = natsMsg_GetData(message); data != nullptr) {
    reply.body.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(message)));
  }
  const char* code = nullptr;
  if (natsMsg_IsNoResponders(message)) {
    reply.error = "503 no responders";
  } else if (natsMsgHeader_Get(message, "Nats-Service-Error-Code", &code) == NATS_OK) {
    reply.error = std::string(code) + " " + reply.body;
  } else {
    reply.ok = true;
  }
  natsMsg_Destroy(message);
  pending.callback(std::move(reply));
}

}  // namespace logistics::bench
