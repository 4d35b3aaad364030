// Baselines: what this machine does at best with the same building blocks the
// services use, measured in the same run as the services so that ratios hold
// on a shared, noisy machine.
//
//   RunEchoResponder   a trivial NATS responder that replies with the request
//                      body at once, on a SendAsap connection like the services.
//   RunJsPublish       js_PublishMsgAsync of fixed-size messages with unique
//                      Nats-Msg-Id into a file stream, `window` in flight.
//   RunSqliteCommits   transactions of `rows_per_txn` rows in WAL mode with
//                      synchronous=FULL, the services' durability.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "latencies.hpp"

namespace logistics::bench {

// Answers `subject` until SIGTERM or SIGINT; prints "ready" once subscribed.
int RunEchoResponder(const std::string& url, const std::string& subject);

struct JsPublishResult {
  std::uint64_t count = 0;
  double seconds = 0;
};
JsPublishResult RunJsPublish(natsConnection* connection, std::uint64_t count, std::size_t size,
                             std::size_t window, std::chrono::seconds max_duration);

struct SqliteCommitResult {
  std::uint64_t commits = 0;
  std::uint64_t rows = 0;
  double seconds = 0;
  Latencies latencies;  // per commit
};
SqliteCommitResult RunSqliteCommits(const std::filesystem::path& db, std::size_t rows_per_txn,
                                    std::uint64_t count, std::chrono::seconds max_duration);

}  // namespace logistics::bench
