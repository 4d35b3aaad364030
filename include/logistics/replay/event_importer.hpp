// EventImporter: publishes checked event records to JetStream, in file order.
//
// Every record is published on its subject with the header Nats-Msg-Id = the
// event's id (and Content-Type: application/cloudevents+json, plus the
// record's other headers except Nats-*), so the stream's duplicate window
// drops an event it already holds: importing the same file twice stores
// nothing new, and the PubAcks that say "duplicate" are counted.
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
  std::uint64_t published = 0;   // stored as new messages
  std::uint64_t duplicates = 0;  // acknowledged as duplicates, not stored again
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
  // publish is refused or unanswered; the records before it stay published,
  // and importing the file again completes the rest without duplicating them.
  common::Result<ImportSummary, ReplayError> Import(const std::vector<NumberedRecord>& records,
                                                    const std::string& stream_override,
                                                    const Progress& progress = {});

 private:
  nats::Connection& connection_;
};

}  // namespace logistics::replay
