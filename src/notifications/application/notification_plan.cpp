#include "logistics/notifications/application/notification_plan.hpp"

namespace logistics::notifications::application {

std::string_view ToString(NoMailReason reason) {
  switch (reason) {
    case NoMailReason::kNotNotifying:
      return "not_notifying";
    case NoMailReason::kNoEmailAddress:
      return "no_email_address";
    case NoMailReason::kOrderUnknown:
      return "order_unknown";
    case NoMailReason::kAlreadySent:
      return "already_sent";
  }
  return "unknown";  // unreachable: the switch covers every reason
}

}  // namespace logistics::notifications::application
