// StoredEvents: which events a stream already holds, so that an import
// publishes only the ones it does not (a second import of a file stores
// nothing new, however long after the first).
//
// The stream's duplicate window (Nats-Msg-Id) only remembers ids for a while
// (10 minutes by default); the stream itself is the lasting record. Every
// event subject names its aggregate and the event
// ("orders.events.<order_id>.<name>"), so the events that could be a given
// one are those stored on its very subject, and the server can be asked for
// them directly ($JS.API.STREAM.MSG.GET), with no consumer and no scan of the
// stream:
//   1. the first time a subject comes up: its last message (last_by_subj).
//      None: the subject is empty, and everything on it from now on is what
//      this import publishes. The same event id: already stored. Another id
//      (the subject holds several events: a re-published copy, or a name
//      that happens twice for one aggregate): 2.
//   2. every message on the subject, once (next_by_subj, from sequence 1),
//      and from then on the subject's ids are known.
// So an import asks about each distinct subject once, plus once per message
// on subjects that hold more than one event: linear in the file and in what
// the stream holds on the file's subjects, never quadratic, and memory of one
// id per event looked at.
//
// What it does not cover: an event stored under another subject than the
// file's line says (the importer publishes on the line's subject, so that is
// not the same event to the stream's readers either), and a publish by
// someone else between the check and the import's publish (the Nats-Msg-Id
// header still catches that within the duplicate window).
//
// Ownership: borrows the connection, which must outlive it.
// Thread-safety: none; one import at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

class StoredEvents {
 public:
  explicit StoredEvents(nats::Connection& connection) : connection_(connection) {}

  // True when `stream` holds, on `subject`, a message whose CloudEvent id
  // (or, for a message that is not a CloudEvent, Nats-Msg-Id) is `event_id`.
  // kNats when JetStream does not answer or refuses (not permitted, ...).
  common::Result<bool, ReplayError> Holds(const std::string& stream, const std::string& subject,
                                          const std::string& event_id);
  // Records that the import just stored `event_id` on `subject`.
  void Remember(const std::string& stream, const std::string& subject, const std::string& event_id);

  // Requests sent to JetStream so far (for tests of the cost).
  std::uint64_t requests() const { return requests_; }

 private:
  struct Subject {
    std::set<std::string> ids;
    bool complete = false;  // ids is everything the subject holds
  };
  struct StoredMessage {
    std::uint64_t sequence = 0;
    std::string event_id;
  };
  // One $JS.API.STREAM.MSG.GET; nullopt when no message matches.
  common::Result<std::optional<StoredMessage>, ReplayError> Get(const std::string& stream,
                                                                const std::string& request);
  common::Result<void, ReplayError> ReadAll(const std::string& stream, const std::string& subject,
                                            Subject& known);

  nats::Connection& connection_;
  std::map<std::pair<std::string, std::string>, Subject> subjects_;
  std::uint64_t requests_ = 0;
};

}  // namespace logistics::replay
