// consume_order_events: read the orders service's events from your own
// program, with a durable JetStream pull consumer (C++ and nats.c).
//
//   example-order-consumer [--nats-url URL] [--durable NAME] [--max-events N]
//
// prints one line per event, "<type> <order_id>", e.g.
//   logistics.order.created.v1 0193a5b2-7c1d-7e4f-8a90-123456789abc
// and acknowledges each event after printing it. The durable consumer (default
// name "example-order-consumer") is kept by the server: run the program again
// and it goes on after the last acknowledged event; delete it with
// `nats consumer rm ORDERS example-order-consumer`.
//
// What a real consumer must do beyond this example (README, "Consuming our
// events"): remember the event ids it has processed and skip a redelivered
// or replayed one; never apply an older aggregateversion over a newer one.
#include <nats/nats.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace {

volatile std::sig_atomic_t g_stop = 0;

// Every nats.c handle is owned by a unique_ptr with its destroy function.
using Connection = std::unique_ptr<natsConnection, decltype(&natsConnection_Destroy)>;
using Context = std::unique_ptr<jsCtx, decltype(&jsCtx_Destroy)>;
using Subscription = std::unique_ptr<natsSubscription, decltype(&natsSubscription_Destroy)>;

int Fail(const char* what, natsStatus status) {
  // nats_GetLastError has the server's own words when there are some.
  const char* detail = nats_GetLastError(nullptr);
  std::fprintf(stderr, "example-order-consumer: %s: %s\n", what,
               detail != nullptr && *detail != '\0' ? detail : natsStatus_GetText(status));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = std::getenv("NATS_URL") != nullptr ? std::getenv("NATS_URL") : "nats://127.0.0.1:4222";
  std::string durable = "example-order-consumer";
  long max_events = 0;  // 0: until Ctrl-C
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--nats-url") url = argv[i + 1];
    else if (flag == "--durable") durable = argv[i + 1];
    else if (flag == "--max-events") max_events = std::strtol(argv[i + 1], nullptr, 10);
  }
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });

  natsConnection* raw_connection = nullptr;
  if (natsStatus s = natsConnection_ConnectTo(&raw_connection, url.c_str()); s != NATS_OK) return Fail("connect", s);
  Connection connection(raw_connection, natsConnection_Destroy);
  jsCtx* raw_js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw_js, connection.get(), nullptr); s != NATS_OK) {
    return Fail("JetStream", s);
  }
  Context js(raw_js, jsCtx_Destroy);

  // A durable pull consumer on the stream ORDERS: every event from the first
  // (DeliverAll), each acknowledged explicitly; created if it does not exist,
  // bound to if it does.
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = "ORDERS";
  options.Config.AckPolicy = js_AckExplicit;
  options.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* raw_sub = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  if (natsStatus s = js_PullSubscribe(&raw_sub, js.get(), "orders.events.>", durable.c_str(), nullptr, &options,
                                      &js_error);
      s != NATS_OK) {
    return Fail("subscribe (does the stream ORDERS exist? start the orders service first)", s);
  }
  Subscription subscription(raw_sub, natsSubscription_Destroy);

  long seen = 0;
  while (g_stop == 0 && (max_events == 0 || seen < max_events)) {
    natsMsgList batch{};
    // Up to 64 events, waiting at most 1 s for the first: NATS_TIMEOUT just
    // means nothing new.
    const int wanted = max_events == 0 ? 64 : static_cast<int>(std::min<long>(64, max_events - seen));
    natsStatus s = natsSubscription_Fetch(&batch, subscription.get(), wanted, 1000, &js_error);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) return Fail("fetch", s);
    for (int i = 0; i < batch.Count; ++i) {
      natsMsg* message = batch.Msgs[i];
      const std::string body(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
      // Each event is a CloudEvent: "type" names it, "data" carries the order.
      const auto event = nlohmann::json::parse(body, nullptr, false);
      if (event.is_object()) {
        const auto data = event.value("data", nlohmann::json::object());
        std::printf("%s %s\n", event.value("type", "?").c_str(), data.value("order_id", "?").c_str());
        std::fflush(stdout);
      }
      // Acknowledged once handled (here: printed); an event that is never
      // acknowledged is delivered again after the ack wait (30 s).
      natsMsg_Ack(message, nullptr);
      ++seen;
    }
    natsMsgList_Destroy(&batch);
  }
  // Acks are sent in the background: make sure the last ones reach the server.
  natsConnection_FlushTimeout(connection.get(), 2000);
  return 0;
}
