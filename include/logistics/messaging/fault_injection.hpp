// Fault injection for tests, switched by the environment variable
// LOGISTICS_FAULT. It exists so tests can prove the crash guarantees of the
// outbox against the real binary:
//
//   LOGISTICS_FAULT=exit-after-commit   the process dies (SIGKILL) right after
//                                       its first commit of a command, before
//                                       replying and before the relay runs.
//   LOGISTICS_FAULT=hold-relay          the relay publishes nothing until
//                                       shutdown asks it to flush, so a test
//                                       can stop a service with events still
//                                       in its outbox.
//   LOGISTICS_FAULT=fail-events-containing:<text>
//                                       every consumer treats an event whose
//                                       payload contains <text> as a transient
//                                       failure, so a test can drive it to a
//                                       dead letter.
//   LOGISTICS_FAULT=crash-after-effects-containing:<text>
//                                       a consumer applying an event whose
//                                       payload contains <text> writes its
//                                       effects, waits 300 ms and dies before
//                                       the commit, so a test can prove that
//                                       no ack leaves before the commit.
//   LOGISTICS_FAULT=skip-events-containing:<text>
//                                       every consumer acknowledges an event
//                                       whose payload contains <text>, on its
//                                       first delivery from its durable
//                                       consumer, without applying it, as a
//                                       consumer led from a diverged replica
//                                       skips it; a test then proves the
//                                       re-read after the consumer moved
//                                       finds it (event_consumer.hpp).
//   LOGISTICS_FAULT=exit-after-mail     notifications dies (SIGKILL) right
//                                       after a mail was sent (accepted by
//                                       the SMTP server, or its .eml file
//                                       written) and before the event's
//                                       transaction commits, so a test can
//                                       show the redelivery leaves one mail.
//
// Never set it in production; the service logs a warning at start-up when it
// is set.
#pragma once

#include <string>
#include <string_view>

namespace logistics::messaging {

// Ends the process at once, as a crash would: SIGKILL to itself, after one
// log line naming the fault. Unlike _exit, nothing runs afterwards on any
// thread (no exit handlers, no sanitizer reports), so no other thread can
// publish or commit between the fault and the death, however slow the build.
[[noreturn]] void CrashNow(std::string_view fault);

// True when LOGISTICS_FAULT names this fault.
bool FaultEnabled(std::string_view fault);

// The argument of a fault of the form "<name>:<argument>", or "" when
// LOGISTICS_FAULT is not that fault.
std::string FaultArgument(std::string_view fault);

}  // namespace logistics::messaging
