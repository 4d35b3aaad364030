// DurableConsumer: the ConsumerSpec of a service's durable consumer on
// another service's event stream; the runtime fills in the retry and batch
// settings from the configuration.
//
// Thread-safety: pure.
#pragma once

#include <string>

#include "logistics/messaging/event_consumer.hpp"

namespace logistics::aggregate_service::presentation {

// The durable consumer `durable` on `stream`, filtered to
// `filter_subject` ("orders.events.>").
inline messaging::ConsumerSpec DurableConsumer(std::string stream, std::string durable,
                                               std::string filter_subject) {
  messaging::ConsumerSpec spec;
  spec.stream = std::move(stream);
  spec.durable = std::move(durable);
  spec.filter_subject = std::move(filter_subject);
  return spec;
}

}  // namespace logistics::aggregate_service::presentation
