// EndpointSchemas: the metadata that names an endpoint's wire contract, so
// that `nats micro info <service>` shows which JSON Schema each request and
// reply follows:
//
//   {"request_schema": "orders/commands/create.json",
//    "reply_schema":   "orders/order.json"}
//
// Values are paths relative to the repository's schemas/ directory, the same
// files schemas/asyncapi.yaml uses as message payloads. A failed request is
// answered with common/error.json on every endpoint, so it is not repeated.
//
// Thread-safety: a pure function.
#pragma once

#include <map>
#include <string>

namespace logistics::messaging {

inline constexpr const char* kRequestSchemaKey = "request_schema";
inline constexpr const char* kReplySchemaKey = "reply_schema";

// The metadata of an endpoint whose request body follows `request_schema`
// and whose success reply follows `reply_schema`.
inline std::map<std::string, std::string> EndpointSchemas(std::string request_schema,
                                                          std::string reply_schema) {
  return {{kRequestSchemaKey, std::move(request_schema)},
          {kReplySchemaKey, std::move(reply_schema)}};
}

}  // namespace logistics::messaging
