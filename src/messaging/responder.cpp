#include "logistics/messaging/responder.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/messaging/request_metadata.hpp"

namespace logistics::messaging {

Responder::Responder(nats::Connection& connection, std::string service, std::string queue_group,
                     common::IdGenerator& ids)
    : connection_(connection),
      service_(std::move(service)),
      queue_group_(std::move(queue_group)),
      ids_(ids) {}

Responder::~Responder() {
  for (auto& endpoint : endpoints_) {
    // A handler still running at the deadline keeps its endpoint: leaked, not freed under it.
    if (!endpoint->subscription->Close(nats::Subscription::kDefaultCloseTimeout)) {
      static_cast<void>(endpoint.release());
    }
  }
}

common::Result<void, nats::NatsError> Responder::Add(Endpoint endpoint) {
  auto subscribed = std::make_unique<Subscribed>();
  subscribed->owner = this;
  subscribed->endpoint = std::move(endpoint);
  Subscribed* target = subscribed.get();
  auto subscription = nats::Subscription::Subscribe(
      connection_, subscribed->endpoint.subject, queue_group_,
      [target](nats::Message message) { OnMessage(*target, std::move(message)); });
  if (!subscription) return common::Unexpected{std::move(subscription).error()};
  subscribed->subscription = std::move(*subscription);
  // Requests are small and bursty: allow a deep backlog rather than dropping
  // them as a slow consumer (nats.c's default is 65536 messages / 64 MiB).
  (void)subscribed->subscription->SetPendingLimits(1 << 20, 256 << 20);
  endpoints_.push_back(std::move(subscribed));
  return {};
}

void Responder::Drain(std::chrono::milliseconds timeout) {
  for (auto& endpoint : endpoints_) (void)endpoint->subscription->Drain();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& endpoint : endpoints_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    (void)endpoint->subscription->WaitForDrain(left);
  }
}

std::vector<Responder::EndpointView> Responder::Endpoints() const {
  std::vector<EndpointView> views;
  for (const auto& endpoint : endpoints_) {
    views.push_back(EndpointView{endpoint->endpoint.name, endpoint->endpoint.subject, queue_group_,
                                 endpoint->stats.Figures(), endpoint->endpoint.metadata});
  }
  return views;
}

void Responder::OnMessage(Subscribed& subscribed, nats::Message message) {
  std::shared_ptr<IncomingRequest> request;
  try {
    Responder& self = *subscribed.owner;
    if (!self.reply_guard_.Allows(message.subject(), message.reply())) return;
    DecodedMetadata decoded = DecodeRequestMetadata(
        RequestHeaders{message.Header("Nats-Msg-Id"), message.Header("Correlation-Id"),
                       message.Header("traceparent"), message.Header("tracestate")},
        self.ids_, self.connection_.MaxPayload().value_or(kDefaultMaxEventBytes));
    subscribed.stats.RecordRequest();
    request = std::make_shared<IncomingRequest>(self.connection_, std::move(message), self.service_,
                                                subscribed.endpoint.name,
                                                std::move(decoded.metadata), &subscribed.stats);
    if (!decoded.problems.empty()) {
      // Refused before the handler: nothing is run, stored or remembered for
      // the key, and the answer carries none of the values it refuses.
      logging::Debug("rejected a request's headers",
                     {{"subject", request->subject()},
                      {"header", decoded.problems.front().field},
                      {"reason", decoded.problems.front().reason}});
      request->Respond(InvalidHeader(std::move(decoded.problems)));
      return;
    }
    subscribed.endpoint.handler(request);
  } catch (const std::exception& error) {
    logging::Error("request handler failed", {{"error", error.what()}});
    if (request) request->Respond(InternalError());
  } catch (...) {
    logging::Error("request handler failed with an unknown exception");
    if (request) request->Respond(InternalError());
  }
}

}  // namespace logistics::messaging
