// NameThisThread: gives the calling thread a name that `top -H`, `perf` and
// gdb show, so an operator can tell the writer from the relay.
//
// Linux keeps at most 15 characters; longer names are cut. Never fails (a
// platform without thread names ignores it).
#pragma once

#include <string_view>

namespace logistics::logging {

void NameThisThread(std::string_view name);

}  // namespace logistics::logging
