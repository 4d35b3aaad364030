// Stream tail check: does a stream still hold the last event the relay was
// acknowledged for?
//
// nats-server 2.9 acknowledges a JetStream publish before its files are on
// disk, so an OS crash or power loss can take the stream's newest messages
// with it, after their PubAcks (SPEC §7). The relay therefore remembers, per
// stream and in the service's database (beside the outbox, committed with
// the rows it marks published), the stream sequence and event id of the last
// event it was acknowledged for. At start-up and after every reconnect it
// reads what the stream holds at that sequence and judges here whether the
// stream lost events: if it did, the relay re-publishes its horizon.
//
// The judgement is a pure function of what was read, so every case has a
// table test; reading is ReadStreamView (stream_setup.hpp).
//
// A stream is a log: a crash loses a suffix of it, never a message in the
// middle while keeping later ones. So when the last acknowledged message is
// there, under the same event id, everything before it is there too (or was
// removed on purpose by the stream's limits or an operator's purge, which the
// relay must not undo).
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace logistics::messaging {

// The last event a stream acknowledged to this relay.
struct AcknowledgedPosition {
  std::string stream;
  std::uint64_t sequence = 0;
  std::string event_id;  // the Nats-Msg-Id published at that sequence

  bool operator==(const AcknowledgedPosition&) const = default;
};

// What the server holds now, read for one acknowledged position.
struct StreamView {
  bool exists = false;            // false: the stream is gone (store wiped)
  std::uint64_t last_sequence = 0;  // 0 when empty
  // The Nats-Msg-Id of the message stored at the acknowledged sequence;
  // nullopt when no message is stored there.
  std::optional<std::string> message_id_at_position;
};

struct TailVerdict {
  bool lost = false;
  std::string reason;  // for the log: what was seen
};

// Lost when the stream is gone, went backwards past the position, or holds
// another event at that sequence (a stream recreated and filled again).
// Intact when the message is there under the same id, or when it is absent
// but the stream went past it (removed by limits or a purge, on purpose).
TailVerdict JudgeStreamTail(const AcknowledgedPosition& acknowledged, const StreamView& now);

}  // namespace logistics::messaging
