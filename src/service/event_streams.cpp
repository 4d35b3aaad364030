#include "logistics/service/event_streams.hpp"

#include <cctype>
#include <stdexcept>

namespace logistics::service {

namespace {

messaging::StreamSpec Stream(std::string name, std::string subject, std::string description,
                             const StreamRetention& retention) {
  return messaging::StreamSpec{std::move(name), {std::move(subject)}, retention.duplicate_window,
                               std::move(description), retention.max_age, retention.max_bytes};
}

}  // namespace

messaging::StreamSpec OrdersStream(const StreamRetention& retention) {
  return Stream("ORDERS", "orders.events.>", "Events of the orders service (logistics.order.*.v1)",
                retention);
}

messaging::StreamSpec PaymentsStream(const StreamRetention& retention) {
  return Stream("PAYMENTS", "payments.events.>",
                "Events of the payments service (logistics.payment.*.v1)", retention);
}

std::vector<messaging::StreamSpec> AllStreams(const StreamRetention& retention) {
  return {OrdersStream(retention), PaymentsStream(retention)};
}

StreamRetention RetentionOf(const ServiceConfig& config) {
  return StreamRetention{std::chrono::seconds(config.duplicate_window_seconds),
                         std::chrono::hours(24 * config.stream_max_age_days),
                         config.stream_max_bytes};
}

messaging::ConsumerSpec DurableConsumerOn(const std::string& service, const std::string& stream) {
  // The duplicate window is the stream's business, not a consumer's.
  for (const messaging::StreamSpec& spec : AllStreams(StreamRetention{})) {
    if (spec.name != stream) continue;
    messaging::ConsumerSpec consumer;
    consumer.stream = spec.name;
    std::string lower = spec.name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    consumer.durable = service + "-" + lower;
    consumer.filter_subject = spec.subjects.front();
    return consumer;
  }
  throw std::invalid_argument("no stream " + stream + " is defined in service/event_streams");
}

std::vector<messaging::ConsumerSpec> AllDurableConsumers() {
  return {DurableConsumerOn("orders", "PAYMENTS"), DurableConsumerOn("payments", "ORDERS"),
          DurableConsumerOn("notifications", "ORDERS"),
          DurableConsumerOn("notifications", "PAYMENTS")};
}

}  // namespace logistics::service
