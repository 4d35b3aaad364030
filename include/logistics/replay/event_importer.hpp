// EventImporter: publishes checked event records to JetStream, in file order,
// each event at most once: importing the same file twice stores nothing new,
// however long after the first import.
//
// Before publishing an event it asks the target stream whether it already
// holds that event id on the event's subject (StoredEvents: one request per
// subject, linear in the file), and skips it if so ("already stored"). The
// publish itself carries the header Nats-Msg-Id = the event's id (and
// Content-Type: application/cloudevents+json, plus the record's other headers
// except Nats-*), so a copy that someone else published between the check
// and the publish is still dropped by the stream's duplicate window; such
// PubAcks that say "duplicate" are counted.
//
// Before the first publish it checks that each target stream exists and
// captures every subject to be published (the target is the override given,
// else the record's own stream), so a wrong file or stream publishes nothing.
// Publishes are synchronous: one PubAck per event, which keeps file order
// exact and tells new from duplicate per event.
//
// Ownership: borrows the connection, which must outlive the importer.
// Thread-safety: one Import at a time per importer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/replay/event_file.hpp"
#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

struct ImportSummary {
  std::uint64_t published = 0;       // stored as new messages
  std::uint64_t already_stored = 0;  // the stream held them already: not published
  std::uint64_t duplicates = 0;      // published, acknowledged as duplicates, not stored again
};

class EventImporter {
 public:
  // Called after each publish with the number of records done so far.
  using Progress = std::function<void(std::uint64_t done)>;

  explicit EventImporter(nats::Connection& connection) : connection_(connection) {}

  // Fails before publishing anything with kStreamNotFound (a target stream
  // does not exist) or kSubjectNotCaptured (a record's subject is not stored
  // by its target stream; the message names the line), or a record without
  // any target stream (kSubjectNotCaptured). Fails part-way with kNats when a
  // publish or a look-up is refused or unanswered; the records before it stay
  // published, and importing the file again completes the rest without
  // duplicating them.
  common::Result<ImportSummary, ReplayError> Import(const std::vector<NumberedRecord>& records,
                                                    const std::string& stream_override,
                                                    const Progress& progress = {});

 private:
  nats::Connection& connection_;
};

}  // namespace logistics::replay
