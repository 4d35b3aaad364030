// StreamFacts: what the tool needs to know about a JetStream stream.
//
// Both directions start here: the export needs the sequence range at the
// moment it starts, the import the subjects the target stream captures, and
// both must say clearly when the stream does not exist.
//
// Thread-safety: plain values; LookUpStream may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

struct StreamFacts {
  std::string name;
  std::vector<std::string> subjects;  // the stream's subject filters
  std::uint64_t messages = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;  // 0 when nothing was ever stored

  // True when one of the stream's subject filters matches `subject`.
  bool Captures(const std::string& subject) const;
  // "orders.events.>, ..." for messages.
  std::string SubjectList() const;
};

// Fails with kStreamNotFound when there is no such stream, kNats when
// JetStream does not answer or refuses.
common::Result<StreamFacts, ReplayError> LookUpStream(nats::JetStream& js, const std::string& stream);

}  // namespace logistics::replay
