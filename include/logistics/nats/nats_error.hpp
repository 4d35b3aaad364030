// NatsError: a failed nats.c call, as a value.
//
// Every natsStatus (and JetStream error code) in this code base becomes a
// NatsError in exactly one function, MakeNatsError, which also rewrites
// nats.c's misleading texts: a JetStream publish to a subject that no stream
// captures fails with NATS_NO_RESPONDERS ("JetStream not enabled"), which we
// report as "no stream captures subject ...".
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

namespace logistics::nats {

enum class NatsErrorKind {
  kTimeout,        // no answer in time; may succeed if retried
  kNoResponders,   // nobody listens on the subject (for JetStream: no stream captures it)
  kNotConnected,   // the connection is closed or reconnecting
  kNotFound,       // JetStream: stream or consumer not found
  kRejected,       // the server refused the request (bad config, limits)
  kOther,
};

struct NatsError {
  NatsErrorKind kind = NatsErrorKind::kOther;
  int status = 0;       // natsStatus
  int jet_stream = 0;   // jsErrCode, 0 when none
  std::string message;  // "<context>: <what happened>"
};

// The one place where a natsStatus (and optional jsErrCode) becomes an error.
NatsError MakeNatsError(int status, std::string_view context, int js_error_code = 0);

// Like MakeNatsError for a JetStream publish to `subject`.
NatsError MakePublishError(int status, std::string_view subject, int js_error_code = 0,
                           std::string_view server_text = {});

}  // namespace logistics::nats
