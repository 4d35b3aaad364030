#include "logistics/messaging/fault_injection.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "logistics/logging/log.hpp"

namespace logistics::messaging {

// getenv is safe here: nothing in the services calls setenv
// (concurrency-mt-unsafe warns only of that).
bool FaultEnabled(std::string_view fault) {
  const char* value = std::getenv("LOGISTICS_FAULT");  // NOLINT(concurrency-mt-unsafe)
  return value != nullptr && std::string_view(value) == fault;
}

std::string FaultArgument(std::string_view fault) {
  const char* value = std::getenv("LOGISTICS_FAULT");  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) return {};
  const std::string_view text(value);
  if (text.size() <= fault.size() + 1 || !text.starts_with(fault) || text[fault.size()] != ':') {
    return {};
  }
  return std::string(text.substr(fault.size() + 1));
}

void CrashNow(std::string_view fault) {
  logging::Warn("fault injection: the process dies here", {{"fault", std::string(fault)}});
  ::kill(::getpid(), SIGKILL);
  for (;;) ::pause();  // SIGKILL cannot be caught: this thread never runs again
}

}  // namespace logistics::messaging
