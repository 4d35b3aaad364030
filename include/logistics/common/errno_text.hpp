// The text of a system error number, safe to call from any thread.
//
// std::strerror may return a buffer it shares between threads (clang-tidy's
// concurrency-mt-unsafe), and a caller that writes
// `"cannot read " + path + ": " + std::strerror(errno)` may read errno after
// the string building has already changed it. Take errno into a local first,
// then ask for its text here:
//
//   const int error = errno;
//   return "cannot read " + path + ": " + common::ErrnoText(error);
#pragma once

#include <string>

namespace logistics::common {

// "No such file or directory" for ENOENT; "error N" for a number the C
// library does not know. Never throws but for std::bad_alloc.
std::string ErrnoText(int error_number);

}  // namespace logistics::common
