// Who holds the relay lease: this process's name for the lease row, and
// whether the process a row names is gone.
//
// A holder is "<host>/<pid>/<start>", <start> being the process's start time
// in clock ticks since boot (/proc/<pid>/stat, field 22), so a pid reused by
// another process after a crash is not mistaken for the holder. An instance
// that finds the holder gone on its own host takes the lease over at once
// instead of waiting for it to expire: a restart after a crash publishes
// without delay. A holder that is alive but stopped (SIGSTOP, a debugger, a
// machine that hangs) is not gone: the others wait for its lease to expire.
//
// Thread-safety: both functions are safe from any thread.
#pragma once

#include <string>

namespace logistics::messaging {

std::string ThisProcessAsLeaseHolder();

// True only when `holder` names a process of this host that no longer runs
// (never for another host's process, nor for a name it cannot read).
bool LeaseHolderIsGone(const std::string& holder);

}  // namespace logistics::messaging
