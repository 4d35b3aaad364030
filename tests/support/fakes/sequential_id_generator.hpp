// SequentialIdGenerator: an IdGenerator whose ids are predictable.
//
// The n-th id (n = 1, 2, ...) of a generator on stream s is
//   "00000000-0000-7000-8sss-nnnnnnnnnnnn"   (s and n in lower-case hex)
// which passes common::IsUuidV7, so code that validates ids accepts it, and
// sorts like n, so "newest first by id" orderings are predictable as in
// production, where UUIDv7 ids sort by creation time. Give two generators in
// one test different streams when their ids must not collide (order ids and
// event ids, say). IdAt() spells an id without generating it, for assertions.
//
// Ownership: a plain object; code under test borrows it as an IdGenerator&.
// Thread-safety: NextId() may be called from any thread (atomic counter).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>

#include "logistics/common/id_generator.hpp"

namespace logistics::testing {

class SequentialIdGenerator final : public common::IdGenerator {
 public:
  // `stream` must be at most 0xFFF; the first id is IdAt(1, stream).
  explicit SequentialIdGenerator(std::uint16_t stream = 0)
      : stream_(static_cast<std::uint16_t>(stream & 0x0FFFu)) {}

  std::string NextId() override { return IdAt(next_.fetch_add(1), stream_); }

  // How many ids NextId() has handed out.
  std::uint64_t issued() const { return next_.load() - 1; }

  // The n-th id of a generator on `stream`. Precondition: n < 2^48.
  static std::string IdAt(std::uint64_t n, std::uint16_t stream = 0) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "00000000-0000-7000-8%03x-%012llx",
                  static_cast<unsigned>(stream & 0x0FFFu),
                  static_cast<unsigned long long>(n & 0xFFFFFFFFFFFFULL));
    return buffer;
  }

 private:
  std::uint16_t stream_;
  std::atomic<std::uint64_t> next_{1};
};

}  // namespace logistics::testing
