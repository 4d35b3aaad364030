// NATS subject matching, as JetStream decides which stream stores a subject.
//
// A filter is a subject whose tokens (separated by '.') may be the wildcard
// `*` (exactly one token) or, as the last token, `>` (one or more tokens).
// The event import checks with it that every line's subject is one the target
// stream captures; the projection rebuild keeps the events of its sources.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace logistics::nats {

// True when `subject` (no wildcards) is matched by `filter`.
bool SubjectMatches(std::string_view filter, std::string_view subject);

// True when `subject` is a subject one can publish to: non-empty tokens of
// printable ASCII, no wildcard token, no spaces ("_INBOX.orders").
bool IsPlainSubject(std::string_view subject);

}  // namespace logistics::nats
