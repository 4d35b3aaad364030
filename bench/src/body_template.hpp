// BodyTemplate: a request body with placeholders, filled in per request.
//
// "{n}" becomes the request's sequence number (0-based) and "{run}" an id
// unique to this run of the tool, so tracking numbers never collide across
// runs against the same database.
//
// Thread-safety: Fill is const and safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace logistics::bench {

class BodyTemplate {
 public:
  BodyTemplate(const std::string& text, const std::string& run_id);
  std::string Fill(std::uint64_t n) const;

 private:
  std::vector<std::string> literals_;  // text between the "{n}" placeholders
};

// A short random id for "{run}".
std::string NewRunId();

}  // namespace logistics::bench
