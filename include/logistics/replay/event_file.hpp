// EventFile: a JSON Lines file of event records, read and checked line by line.
//
// Read() reads the whole file and checks every non-empty line: it must be a
// record (see EventRecord), its event must pass EventValidator, and its subject
// must be the one the services publish that event on
// (`orders.events.<subject>.<name>` for logistics.order.<name>.v1, likewise
// payments). Lines are numbered from 1 as in an editor, empty lines counted.
// Every problem is kept, so one run names every bad line.
//
// Ownership: an EventFile owns its records. Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/replay/event_record.hpp"
#include "logistics/replay/event_validator.hpp"
#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

struct NumberedRecord {
  std::size_t line = 0;
  EventRecord record;
};

struct LineProblem {
  std::size_t line = 0;
  ValidationProblem problem;

  // "line 7: .data.status: \"PAYED\" is not one of [...]".
  std::string ToString() const;
};

class EventFile {
 public:
  // Reads `path` ("-" for standard input). Fails with kFileUnreadable when it
  // cannot be opened or read; bad lines are not a failure (see problems()).
  static common::Result<EventFile, ReplayError> Read(const std::string& path,
                                                     const EventValidator& validator);

  // The valid lines, in file order.
  const std::vector<NumberedRecord>& records() const { return records_; }
  // Every problem of every invalid line, in file order.
  const std::vector<LineProblem>& problems() const { return problems_; }
  std::size_t invalid_lines() const { return invalid_lines_; }
  // Non-empty lines read.
  std::size_t lines() const { return records_.size() + invalid_lines_; }

 private:
  std::vector<NumberedRecord> records_;
  std::vector<LineProblem> problems_;
  std::size_t invalid_lines_ = 0;
};

// The subject the services publish `event` on, or "" when its type is not
// logistics.<order|payment>.<name>.v<major> or it has no string subject.
std::string ExpectedSubject(const nlohmann::ordered_json& event);

}  // namespace logistics::replay
