// JetStreamWatch: moves a NATS connection off a server through which
// JetStream does not answer.
//
// In a partitioned cluster the node on the minority side still accepts
// clients, so nats.c stays connected to it while every JetStream request and
// publish through it times out or gets "JetStream system temporarily
// unavailable" (503, err_code 10008), for as long as the partition lasts. The
// watch asks JetStream for the account's information ($JS.API.INFO, the
// cheapest request every service user may send) every interval; after
// kFailuresBeforeMove consecutive failures on one server, while nats.c knows
// another server (given in the URL list or discovered from the cluster), it
// ends the connection's socket with shutdown(2). nats.c then does what it does
// after any lost connection: it reconnects to the next server of its pool and
// re-subscribes everything, buffered publishes included. (nats.c 3.4.1 has no
// natsConnection_Reconnect; nats.c itself ends a socket this way before it
// reconnects.) A move that did not help (the next server is no better, e.g.
// no quorum anywhere) makes the next one wait twice as long, up to a minute,
// so the watch never storms; one successful check resets that.
//
// With no other server known, the watch does not move and says so once per
// failing streak. Checks made while nats.c is reconnecting, or that straddle a
// reconnect, count for nothing.
//
// JetStreamMovePolicy is the decision alone (no clock, no I/O), so it is
// tested without a server; JetStreamWatch runs it on a thread of its own.
//
// Ownership: the watch borrows the natsConnection, which must stay open until
// Stop() has returned (Connection::Close stops its watch before it closes the
// connection). Thread-safety: Stop() and Moves() are safe from any thread; the
// watch's own thread only calls thread-safe nats.c functions.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace logistics::nats {

// What to do after a check (see JetStreamMovePolicy::AfterCheck).
enum class JetStreamWatchAction {
  kNothing,
  kMove,              // end the socket: nats.c moves to the next server
  kWarnNowhereToGo,   // failing, but no other server is known (once per streak)
  kReportRecovered,   // the first success after a failing streak or a move
};

class JetStreamMovePolicy {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kFailuresBeforeMove = 3;
  static constexpr std::chrono::milliseconds kMaxBackoff{60000};

  // `interval`: the time between checks; the first back-off is twice the
  // time failures take to add up to a move (2 × kFailuresBeforeMove ×
  // interval), doubled after every move that did not help.
  explicit JetStreamMovePolicy(std::chrono::milliseconds interval);

  // One check's outcome, made from start to end on one server (a check that
  // straddled a reconnect is not given here). `server_changed`: not the
  // server of the previous check given (its failures start from zero).
  // `other_servers_known`: nats.c's pool holds more than this server.
  JetStreamWatchAction AfterCheck(bool answered, bool server_changed, bool other_servers_known,
                                  Clock::time_point now);

  int failures() const { return failures_; }
  std::chrono::milliseconds backoff() const { return backoff_; }

 private:
  const std::chrono::milliseconds first_backoff_;
  int failures_ = 0;
  bool warned_ = false;          // kWarnNowhereToGo said for this streak
  bool moved_ = false;           // a move happened and no check has succeeded since
  std::chrono::milliseconds backoff_{0};
  Clock::time_point next_move_allowed_{};
};

class JetStreamWatch {
 public:
  // Starts checking `connection` every `interval` (> 0). `url_for_logs`:
  // the configured URLs, passwords redacted; `name`: the connection's name,
  // both for the log lines.
  JetStreamWatch(natsConnection* connection, std::chrono::milliseconds interval,
                 std::string url_for_logs, std::string name);
  // Stop().
  ~JetStreamWatch();
  JetStreamWatch(const JetStreamWatch&) = delete;
  JetStreamWatch& operator=(const JetStreamWatch&) = delete;

  // Ends the thread: wakes it and waits for it (at most one check's timeout).
  // Safe to call more than once and from several threads.
  void Stop();
  // How many times the watch has moved the connection.
  std::uint64_t Moves() const { return moves_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // One $JS.API.INFO; "" when JetStream answered, else why not.
  std::string Check(jsCtx* context);
  // shutdown(2) on the connection's socket; false when it cannot be found.
  bool EndSocket();
  // The connected server's URL, passwords redacted ("" while disconnected).
  std::string ConnectedUrl() const;
  // The connected server's id ("" unless connected).
  std::string ConnectedServerId() const;
  // nats.c's pool (given and discovered servers) holds more than one server.
  bool OtherServersKnown() const;

  natsConnection* const connection_;
  const std::chrono::milliseconds interval_;
  const std::string url_for_logs_;
  const std::string name_;
  std::atomic<std::uint64_t> moves_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::mutex join_mutex_;
  std::thread thread_;
};

}  // namespace logistics::nats
