#include "logistics/service/event_streams.hpp"

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

}  // namespace logistics::service
