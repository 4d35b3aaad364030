#include "logistics/payments/domain/order_view.hpp"

#include <string_view>

namespace logistics::payments::domain {

bool IsPayable(const OrderView& order) {
  // A deny list, as SPEC §2 words the rule: a status the orders service adds
  // later (an ON_HOLD, say) stays payable until someone decides otherwise,
  // rather than every payment of such orders failing as not payable.
  const std::string_view status = order.status;
  return status != "CANCELLED" && status != "IN_TRANSIT" && status != "DELIVERED";
}

}  // namespace logistics::payments::domain
