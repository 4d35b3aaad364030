// NatsServer: a real `nats-server -js` on a loopback port, owned by a test.
//
// The server runs as `nats-server -js -a 127.0.0.1 -p <port> -sd <store dir>`
// (plus `-n <name>` and any extra arguments; another host, and a command to run
// it under, such as `ip netns exec`, may be given). The port and the store survive
// Kill/Stop and Restart, so a test can take the server away and bring it back
// with its JetStream data, as after a crash. Each start writes a new log file
// (nats-server.log, nats-server.2.log, ...) in the log directory.
//
// Constructing one picks the port and directories; Start() runs the server.
// By default the store and the logs live in a temporary directory owned by
// this object and removed with it (see TempDir for LOGISTICS_KEEP_TEMP); with
// a store directory given, the logs go into it. The port is a free one unless
// given. The binary is $NATS_SERVER_BIN, else `nats-server` in PATH, else
// /usr/sbin/nats-server.
//
// Usage:
//   NatsServer nats;
//   nats.Start();
//   NatsClient client(nats.url());
//   nats.Kill();     // a crash
//   nats.Restart();  // same port, same store
//
// Start fails the running test (Catch2 FAIL), with the server's log in the
// message, when the server does not accept clients within the start timeout.
// The destructor stops the server (SIGTERM, then SIGKILL after a grace).
//
// Thread-safety: none; one NatsServer is driven by one test thread. Clients on
// other threads may of course talk to the server.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/harness/child_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {

struct NatsServerOptions {
  std::filesystem::path store_dir;      // empty: "<owned temp dir>/store"
  int port = 0;                         // 0: FreeTcpPort()
  std::filesystem::path log_dir;        // empty: the store dir if given, else the owned temp dir
  std::string name;                     // server name (-n); empty: nats-server's default
  std::vector<std::string> extra_args;  // e.g. {"--cluster", "nats://127.0.0.1:6222"}
  // Added to the server's environment (the test's own, which it inherits), e.g.
  // the variables a configuration file reads: {"NATS_TLS_SERVER_CERT", "\"...\""}.
  std::map<std::string, std::string> env;
  std::chrono::milliseconds start_timeout = std::chrono::seconds(20);
  // The address the server listens on (-a) and is reached at, e.g. a network
  // namespace's address for the partition tests.
  std::string host = "127.0.0.1";
  // A command the server runs under, e.g. {"ip", "netns", "exec", "lg-n1"};
  // it must exec the server in its own process, so Kill reaches the server.
  std::vector<std::string> command_prefix;
};

class NatsServer {
 public:
  // Picks the port and creates the directories; does not start the server.
  // Fails the test if a directory cannot be created.
  explicit NatsServer(std::filesystem::path store_dir = {}, int port = 0);
  explicit NatsServer(NatsServerOptions options);
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts the server if it is not running and waits until it accepts client
  // connections (its log says "Server is ready" and a TCP connect succeeds).
  // Fails the test, with the log, if it exits or is not ready within
  // options.start_timeout (20 s).
  void Start();
  // SIGTERM (a clean shutdown that closes the store), SIGKILL after 10 s.
  // Does nothing if the server is not running. Returns how it ended, if it ran.
  std::optional<ExitStatus> Stop();
  // SIGKILL, as in a crash. Does nothing if the server is not running.
  std::optional<ExitStatus> Kill();
  // Stop() if running, then Start() on the same port with the same store.
  void Restart();
  bool Running();

  // "nats://<host>:<port>" (host 127.0.0.1 unless given).
  std::string url() const;
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::filesystem::path& store_dir() const { return store_dir_; }
  const std::filesystem::path& log_dir() const { return log_dir_; }
  // The log of the current (or last) run; "" before the first start.
  // Each run writes its own file in log_dir().
  std::string Log() const;

 private:
  std::optional<TempDir> owned_dir_;
  std::filesystem::path store_dir_;
  std::filesystem::path log_dir_;
  std::string host_;
  int port_ = 0;
  std::chrono::milliseconds start_timeout_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace logistics::testing
