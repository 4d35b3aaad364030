#include "logistics/aggregate_service/presentation/request_replies.hpp"

#include "logistics/logging/log.hpp"

namespace logistics::aggregate_service::presentation {

void LogBadBody(const messaging::IncomingRequest& request, const json::BodyError& error) {
  logging::Debug("rejected a malformed request",
                 {{"subject", request.subject()},
                  {"error", error.message},
                  {"correlation_id", request.metadata().correlation_id}});
}

}  // namespace logistics::aggregate_service::presentation
