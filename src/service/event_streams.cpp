#include "logistics/service/event_streams.hpp"

#include <cctype>
#include <stdexcept>

namespace logistics::service {

messaging::StreamSpec OrdersStream(std::chrono::milliseconds duplicate_window) {
  return messaging::StreamSpec{"ORDERS", {"orders.events.>"}, duplicate_window,
                               "Events of the orders service (logistics.order.*.v1)"};
}

messaging::StreamSpec PaymentsStream(std::chrono::milliseconds duplicate_window) {
  return messaging::StreamSpec{"PAYMENTS", {"payments.events.>"}, duplicate_window,
                               "Events of the payments service (logistics.payment.*.v1)"};
}

std::vector<messaging::StreamSpec> AllStreams(std::chrono::milliseconds duplicate_window) {
  return {OrdersStream(duplicate_window), PaymentsStream(duplicate_window)};
}

messaging::ConsumerSpec DurableConsumerOn(const std::string& service, const std::string& stream) {
  // The duplicate window is the stream's business, not a consumer's.
  for (const messaging::StreamSpec& spec : AllStreams(std::chrono::minutes(10))) {
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
