#include "logistics/messaging/fault_injection.hpp"

#include <cstdlib>

namespace logistics::messaging {

bool FaultEnabled(std::string_view fault) {
  const char* value = std::getenv("LOGISTICS_FAULT");
  return value != nullptr && std::string_view(value) == fault;
}

}  // namespace logistics::messaging
