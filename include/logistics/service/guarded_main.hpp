// GuardedMain: a service's main() that ends every run with an exit status.
//
// Every failure a service foresees is logged and returned as a status by its
// body; this catches what it did not foresee (std::bad_alloc, an exception
// from a library) so that it, too, becomes one "service stopped by an
// unexpected error" log line and exit status 1 instead of std::terminate's
// abort without a word in the JSON log.
#pragma once

namespace logistics::service {

using MainBody = int (*)(int argc, char** argv);

// Runs `body(argc, argv)` and returns its status; 1 after logging an
// exception that escaped it. `program` names the service in that log line.
int GuardedMain(const char* program, MainBody body, int argc, char** argv) noexcept;

}  // namespace logistics::service
