// NATS subject matching, as JetStream decides which stream stores a subject.
//
// A filter is a subject whose tokens (separated by '.') may be the wildcard
// `*` (exactly one token) or, as the last token, `>` (one or more tokens).
// The import checks with it, before publishing anything, that every line's
// subject is one the target stream captures, so a wrong file is refused as a
// whole instead of failing half-way.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace logistics::replay {

// True when `subject` (no wildcards) is matched by `filter`.
bool SubjectMatches(std::string_view filter, std::string_view subject);

// True for a subject a message can be published on: non-empty tokens of
// printable ASCII without white space, no wildcards.
bool IsPublishableSubject(std::string_view subject);

}  // namespace logistics::replay
