// EventValidator: checks a CloudEvent against the event schemas, in C++.
//
// Debian ships no C++ JSON Schema validator, so this class states by hand what
// schemas/common/cloudevent.json and schemas/{orders,payments}/events/*.json
// require, and what tests/contract/check_schemas.py adds beyond them:
//   - the envelope: the required attributes and no others, specversion "1.0",
//     id a UUID, time a millisecond UTC timestamp, datacontenttype
//     "application/json", aggregateversion an integer >= 1, correlationid and
//     causationid non-empty, traceparent in W3C form when present;
//   - the type: one of the ten known event types, with its source and a
//     lower-case UUIDv7 subject;
//   - data: the order or payment with every field (types, lengths in
//     characters, patterns, enums, the state-machine rules of `fields`), in
//     the status the type implies, plus payment_id (paid) or reason
//     (cancelled, failed, refunded), and nothing else;
//   - across fields (checked once the rest is valid, as check_schemas.py
//     does): subject = data's id, aggregateversion = data.version, time =
//     data.updated_at, data.reason = the resource's reason, created_at not
//     after updated_at.
// Formats are checked through the schemas' patterns only, as the Python
// validator does (it asserts no `format`): 2026-02-31 passes both.
// tests/contract/events_validator_agreement.py proves the two agree.
//
// Each problem names where it is with a JSON-pointer-like path (".data.status",
// "" for the event as a whole) and says what is wrong, e.g.
//   .data.status: "PAYED" is not one of ["CREATED", ...]
//
// Thread-safety: a validator holds no state; share it freely.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace logistics::replay {

struct ValidationProblem {
  std::string path;     // ".data.status"; "" for the document itself
  std::string message;  // "\"PAYED\" is not one of [...]"

  // "path: message", or the message alone when the path is empty.
  std::string ToString() const;
};

class EventValidator {
 public:
  // Every problem of `event`; empty when it is a valid event of a known type.
  std::vector<ValidationProblem> Validate(const nlohmann::ordered_json& event) const;
};

}  // namespace logistics::replay
