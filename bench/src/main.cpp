// logistics-bench: the load generator and baselines of bench/run.
//
// Every measuring subcommand prints one JSON object on its last line of
// standard output and exits 0, or prints why it failed on standard error and
// exits 1 (2 for bad flags). Every loop is bounded by a count and a time.
// bench/bench.py drives it; see bench/README.md.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "async_requester.hpp"
#include "baselines.hpp"
#include "lifecycle_load.hpp"
#include "request_load.hpp"
#include "system_checks.hpp"

namespace {

using namespace logistics::bench;
using nlohmann::json;

struct Flags {
  std::string url = "nats://127.0.0.1:4222";
  std::string subject;
  std::string body = "{}";
  std::size_t in_flight = 1;
  std::uint64_t count = 1000;
  double rate = 0;
  int max_seconds = 60;
  std::size_t size = 330;
  std::size_t window = 256;
  std::string db;
  std::size_t rows_per_txn = 1;
  std::string stream = "ORDERS";
  std::string filter;
  std::uint64_t expect = 0;
  int timeout_seconds = 60;
  std::string service = "orders";
};

double Rate(std::uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0; }

// One connection per run; nats.c's library state is closed at exit.
struct Nats {
  explicit Nats(const std::string& url) : connection(ConnectSendingAtOnce(url)) {}
  ~Nats() { natsConnection_Destroy(connection); }
  natsConnection* connection;
};

json Requests(const Flags& flags) {
  Nats nats(flags.url);
  RequestLoadSettings settings{flags.subject, flags.in_flight, flags.count, flags.rate,
                               std::chrono::seconds(flags.max_seconds)};
  auto result = RunRequestLoad(nats.connection, settings, BodyTemplate(flags.body, NewRunId()));
  return {{"sent", result.sent},
          {"ok", result.ok},
          {"failed", result.failed},
          {"seconds", result.seconds},
          {"per_s", Rate(result.ok, result.seconds)},
          {"p50_us", result.latencies.PercentileUs(0.50)},
          {"p99_us", result.latencies.PercentileUs(0.99)},
          {"max_us", result.latencies.PercentileUs(1.0)},
          {"first_error", result.first_error}};
}

json JsPublish(const Flags& flags) {
  Nats nats(flags.url);
  auto result = RunJsPublish(nats.connection, flags.count, flags.size, flags.window,
                             std::chrono::seconds(flags.max_seconds));
  return {{"count", result.count}, {"seconds", result.seconds}, {"per_s", Rate(result.count, result.seconds)}};
}

json SqliteCommits(const Flags& flags) {
  auto result = RunSqliteCommits(flags.db, flags.rows_per_txn, flags.count,
                                 std::chrono::seconds(flags.max_seconds));
  return {{"commits", result.commits},
          {"seconds", result.seconds},
          {"commits_per_s", Rate(result.commits, result.seconds)},
          {"rows_per_s", Rate(result.rows, result.seconds)},
          {"p50_us", result.latencies.PercentileUs(0.50)},
          {"p99_us", result.latencies.PercentileUs(0.99)}};
}

json StreamCheck(const Flags& flags) {
  Nats nats(flags.url);
  const std::string filter = flags.filter.empty() ? "orders.events.>" : flags.filter;
  auto result = CheckStream(nats.connection, flags.stream, filter, flags.expect,
                            std::chrono::seconds(flags.timeout_seconds));
  return {{"messages", result.messages}, {"distinct_subjects", result.distinct_subjects}, {"ok", result.ok}};
}

json Lifecycle(const Flags& flags) {
  Nats nats(flags.url);
  auto result = RunLifecycleLoad(nats.connection, flags.count, flags.in_flight,
                                 std::chrono::seconds(flags.max_seconds));
  return {{"started", result.started},
          {"completed", result.completed},
          {"failed", result.failed},
          {"seconds", result.seconds},
          {"per_s", Rate(result.completed, result.seconds)},
          {"first_error", result.first_error}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"logistics-bench: load and baselines for bench/run"};
  app.require_subcommand(1);
  Flags flags;
  auto url = [&](CLI::App* command) { command->add_option("--url", flags.url, "NATS server URL"); };
  auto bounded = [&](CLI::App* command) {
    command->add_option("--count", flags.count, "how many")->check(CLI::PositiveNumber);
    command->add_option("--max-seconds", flags.max_seconds, "stop after this long")->check(CLI::PositiveNumber);
  };

  auto* echo = app.add_subcommand("echo", "a trivial responder echoing each request");
  url(echo);
  echo->add_option("--subject", flags.subject)->required();

  auto* requests = app.add_subcommand("requests", "request load on one subject");
  url(requests);
  bounded(requests);
  requests->add_option("--subject", flags.subject)->required();
  requests->add_option("--body", flags.body, "body; {n} = sequence number, {run} = run id");
  requests->add_option("--in-flight", flags.in_flight)->check(CLI::PositiveNumber);
  requests->add_option("--rate", flags.rate, "open loop at this many requests/s (0: closed loop)");

  auto* js_publish = app.add_subcommand("js-publish", "JetStream async publish baseline");
  url(js_publish);
  bounded(js_publish);
  js_publish->add_option("--size", flags.size, "payload bytes");
  js_publish->add_option("--window", flags.window, "publishes in flight")->check(CLI::PositiveNumber);

  auto* sqlite_commit = app.add_subcommand("sqlite-commit", "SQLite WAL synchronous=FULL commits");
  bounded(sqlite_commit);
  sqlite_commit->add_option("--db", flags.db)->required();
  sqlite_commit->add_option("--rows-per-txn", flags.rows_per_txn)->check(CLI::PositiveNumber);

  auto* stream_check = app.add_subcommand("stream-check", "count a stream's events per aggregate");
  url(stream_check);
  stream_check->add_option("--stream", flags.stream);
  stream_check->add_option("--filter", flags.filter, "subject filter (default orders.events.>)");
  stream_check->add_option("--expect", flags.expect)->required();
  stream_check->add_option("--timeout-seconds", flags.timeout_seconds);

  auto* lifecycle = app.add_subcommand("lifecycle", "whole order lifecycles across both services");
  url(lifecycle);
  lifecycle->add_option("--orders", flags.count)->check(CLI::PositiveNumber);
  lifecycle->add_option("--max-seconds", flags.max_seconds)->check(CLI::PositiveNumber);
  lifecycle->add_option("--in-flight", flags.in_flight)->check(CLI::PositiveNumber);

  auto* status = app.add_subcommand("status", "a service's <service>.query.status reply");
  url(status);
  status->add_option("--service", flags.service);

  CLI11_PARSE(app, argc, argv);
  try {
    json result;
    if (*echo) return RunEchoResponder(flags.url, flags.subject);
    if (*requests) result = Requests(flags);
    if (*js_publish) result = JsPublish(flags);
    if (*sqlite_commit) result = SqliteCommits(flags);
    if (*stream_check) result = StreamCheck(flags);
    if (*lifecycle) result = Lifecycle(flags);
    if (*status) {
      Nats nats(flags.url);
      std::cout << ServiceStatus(nats.connection, flags.service) << std::endl;
      return 0;
    }
    std::cout << result.dump() << std::endl;
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "logistics-bench: " << error.what() << std::endl;
    return 1;
  }
}
