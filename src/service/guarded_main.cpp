#include "logistics/service/guarded_main.hpp"

#include <cstdio>
#include <exception>

#include "logistics/logging/log.hpp"

namespace logistics::service {

int GuardedMain(const char* program, MainBody body, int argc, char** argv) noexcept {
  try {
    try {
      return body(argc, argv);
    } catch (const std::exception& error) {
      logging::Error("service stopped by an unexpected error",
                     {{"program", program}, {"error", error.what()}});
    } catch (...) {
      logging::Error("service stopped by an unexpected error", {{"program", program}});
    }
  } catch (...) {
    // Logging itself failed (no memory): say it the plainest way there is.
    std::fputs("service stopped by an unexpected error\n", stderr);
  }
  return 1;
}

}  // namespace logistics::service
