// RequestVerdict: one answer for everything wrong with a request body.
//
// A decoder collects the body's shape problems (missing, mistyped, unknown
// fields) and the domain rules broken by the fields that were well-formed,
// and hands both here. The verdict names every offending field once (a shape
// problem wins over a rule about the same field). Its code is
// VALIDATION_FAILED, or the rule's own code when exactly one rule is broken
// and nothing else, so a client sees "TRACKING_NUMBER_TOO_LONG" rather than a
// generic code for a single, specific mistake.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/json/body_reader.hpp"

namespace logistics::json {

struct BrokenRule {
  std::string field;
  std::string code;  // the domain's stable code
  std::string message;
};

common::Result<void, BodyError> RequestVerdict(std::vector<FieldProblem> shape_problems,
                                               const std::vector<BrokenRule>& broken_rules);

}  // namespace logistics::json
