#include "logistics/common/errno_text.hpp"

#include <cstring>  // ::strerror_r: POSIX, or GNU when _GNU_SOURCE (g++ defines it)

namespace logistics::common {
namespace {

// strerror_r comes in two kinds; overloads pick whichever the C library has.
// GNU: returns the text (maybe not in `buffer`).
[[maybe_unused]] std::string FromStrerror(const char* text, const char* /*buffer*/, int error_number) {
  return text != nullptr ? std::string(text) : "error " + std::to_string(error_number);
}
// POSIX: returns 0 and fills `buffer`.
[[maybe_unused]] std::string FromStrerror(int status, const char* buffer, int error_number) {
  return status == 0 ? std::string(buffer) : "error " + std::to_string(error_number);
}

}  // namespace

std::string ErrnoText(int error_number) {
  char buffer[256] = {};
  return FromStrerror(::strerror_r(error_number, buffer, sizeof buffer), buffer, error_number);
}

}  // namespace logistics::common
