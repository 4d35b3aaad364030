// NatsError: a failed nats.c call, as a value.
//
// Every natsStatus (and JetStream error code) in this code base becomes a
// NatsError in exactly one function, MakeNatsError, which decides its kind
// and also rewrites nats.c's misleading texts: a JetStream publish to a
// subject that no stream captures fails with NATS_NO_RESPONDERS ("JetStream
// not enabled"), which we report as "no stream captures subject ...".
//
// Callers decide by `kind` (a closed enum: a `switch` over it without
// `default` makes the compiler name a kind nobody handles), never by the
// message, which is for people.
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

namespace logistics::nats {

enum class NatsErrorKind {
  kTimeout,            // no answer in time; may succeed if retried
  kNoResponders,       // nobody listens on the subject (for JetStream: no stream captures it)
  kNotConnected,       // the connection is closed or reconnecting
  kNotFound,           // JetStream: the stream, consumer or message does not exist
  kAlreadyExists,      // JetStream: a stream or consumer of that name exists with another config
  kTooLarge,           // the message is larger than the server (max_payload) or the stream
                       // (max_msg_size) accepts: sending it again will not help
  kLimitExceeded,      // JetStream: the stream refused a message by its limits (bytes,
                       // count) or the server has no resources left for it
  kWrongLastSequence,  // JetStream: a publish's expected last sequence or message id did not hold
  kWrongStream,        // JetStream: a publish's expected stream is not the one that captures it
  kRejected,           // the server refused the request for another reason (bad config, ...)
  kOther,
};

// The kind's name, for logs and test messages ("limit exceeded").
std::string_view NatsErrorKindName(NatsErrorKind kind);

struct NatsError {
  NatsErrorKind kind = NatsErrorKind::kOther;
  int status = 0;       // natsStatus
  int jet_stream = 0;   // jsErrCode, 0 when none
  std::string message;  // "<context>: <what happened>"
};

// The one place where a natsStatus (and optional jsErrCode) becomes an error.
NatsError MakeNatsError(int status, std::string_view context, int js_error_code = 0);

// A timeout we detected ourselves (no answer came in time): kTimeout.
NatsError MakeTimeoutError(std::string message);

// Like MakeNatsError for a JetStream publish to `subject`; `server_text` is
// the server's own description of a refusal, when it gave one.
NatsError MakePublishError(int status, std::string_view subject, int js_error_code = 0,
                           std::string_view server_text = {});

}  // namespace logistics::nats
