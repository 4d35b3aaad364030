// NotificationResult: the result of a notifications port or use case.
//
// The notifications use cases reject nothing: an event either leads to a mail
// or it does not, and that decision is a value (notification_plan.hpp). What
// can fail is a port, so the error side is PortError (storage failures), and
// a failure means "roll back and let the event be redelivered". Sending has
// its own failure type, which says whether trying again can help
// (mail_sender.hpp).
//
// Thread-safety: plain values.
#pragma once

#include <utility>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"

namespace logistics::notifications::application {

template <typename T>
using NotificationResult = common::Result<T, common::PortError>;

// Shorthand for returning a port's failure.
inline common::Unexpected<common::PortError> Failed(common::PortError error) {
  return common::Unexpected<common::PortError>{std::move(error)};
}

}  // namespace logistics::notifications::application
