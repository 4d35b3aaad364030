#include "logistics/payments/infrastructure/nats_order_directory.hpp"

#include <nlohmann/json.hpp>

#include "logistics/messaging/incoming_request.hpp"

namespace logistics::payments::infrastructure {

application::OrderLookup NatsOrderDirectory::Find(const std::string& order_id) const {
  using Outcome = application::OrderLookup::Outcome;
  const std::string body = nlohmann::json{{"order_id", order_id}}.dump();
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_Request(&raw, connection_.get(), "orders.query.get",
                                              body.data(), static_cast<int>(body.size()),
                                              timeout_.count());
  nats::MessageHandle reply(raw);
  if (s == NATS_TIMEOUT) return {Outcome::kUnavailable, {}, "the orders service did not answer in time"};
  if (s == NATS_NO_RESPONDERS) return {Outcome::kUnavailable, {}, "the orders service is not running"};
  if (s != NATS_OK) {
    return {Outcome::kUnavailable, {}, nats::MakeNatsError(s, "orders.query.get").message};
  }
  if (const auto code = messaging::HeaderOf(reply.get(), "Nats-Service-Error-Code")) {
    if (*code == "404") return {Outcome::kNotFound, {}, {}};
    return {Outcome::kUnavailable, {}, "orders.query.get answered " + *code};
  }
  const char* data = natsMsg_GetData(reply.get());
  const auto order = nlohmann::json::parse(
      data == nullptr ? std::string() : std::string(data, natsMsg_GetDataLength(reply.get())),
      nullptr, false);
  if (!order.is_object() || !order.contains("status") || !order["status"].is_string() ||
      !order.contains("version") || !order["version"].is_number_integer()) {
    return {Outcome::kUnavailable, {}, "orders.query.get answered something that is not an order"};
  }
  return {Outcome::kFound,
          domain::OrderView{order_id, order["status"].get<std::string>(),
                            order["version"].get<std::int64_t>()},
          {}};
}

}  // namespace logistics::payments::infrastructure
