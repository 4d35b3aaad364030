#include "logistics/messaging/responder.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/messaging/trace_context.hpp"

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
                                 endpoint->stats.Figures()});
  }
  return views;
}

void Responder::OnMessage(Subscribed& subscribed, nats::Message message) {
  std::shared_ptr<IncomingRequest> request;
  try {
    Responder& self = *subscribed.owner;
    RequestMetadata metadata;
    if (auto key = message.Header("Nats-Msg-Id"); key && !key->empty()) {
      metadata.request_id = std::move(*key);
      metadata.request_id_from_client = true;
    } else {
      metadata.request_id = self.ids_.NextId();
    }
    auto correlation = message.Header("Correlation-Id");
    metadata.correlation_id =
        correlation && !correlation->empty() ? std::move(*correlation) : self.ids_.NextId();
    // A malformed traceparent is ignored, and tracestate with it (W3C).
    metadata.traceparent = message.Header("traceparent");
    if (metadata.traceparent && !IsValidTraceparent(*metadata.traceparent)) {
      metadata.traceparent.reset();
    }
    if (metadata.traceparent) {
      metadata.tracestate = message.Header("tracestate");
      if (metadata.tracestate && !IsAcceptableTracestate(*metadata.tracestate)) {
        metadata.tracestate.reset();
      }
    }
    subscribed.stats.RecordRequest();
    request = std::make_shared<IncomingRequest>(self.connection_, std::move(message), self.service_,
                                                subscribed.endpoint.name, std::move(metadata),
                                                &subscribed.stats);
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
