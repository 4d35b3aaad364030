// RunScript: `scripts/run` driven by a test as a user drives it: started in
// the background, waited for until it says "ready:", stopped with a SIGTERM to
// the script alone (as `kill <pid>` or Ctrl-C would), and checked to have
// stopped everything it started.
//
// The script starts nats-server and the services in sessions of their own,
// out of reach of ChildProcess's process-group kill, so only the script can
// stop them in order. The destructor therefore gives a script that is still
// running a whole minute to stop what it started (ChildProcess alone would
// wait two seconds before killing the script).
//
// "Everything it started" is found by its command lines: every process the
// script starts names its data directory (DATA_DIR, or the walkthrough's
// scratch checkout), so the script's output must go elsewhere (`log_dir`),
// or the test's own log readers would count.
//
// Lives in tests/integration rather than the harness because it needs this
// test binary's build and source directories (LOGISTICS_BUILD_DIR,
// LOGISTICS_SOURCE_DIR). Failures: a script that does not become ready or does
// not stop cleanly fails the test (REQUIRE/CHECK) with the script's output.
//
// Thread-safety: none; one RunScript is used by one test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/harness/child_process.hpp"

namespace logistics::testing {

// "pid: command line" of every process but this test whose command line
// contains `text` (a data directory, a password).
std::vector<std::string> ProcessesMentioning(const std::string& text);

class RunScript {
 public:
  // `scripts/run args...` with DATA_DIR=data_dir and BUILD_DIR this test's
  // build directory (so it builds nothing), plus `env` (ports, mostly). Its
  // output goes to `<log_dir>/<log_name>.log`. Does not start it.
  RunScript(std::vector<std::string> args, std::map<std::string, std::string> env,
            const std::filesystem::path& data_dir, const std::filesystem::path& log_dir,
            const std::string& log_name);
  // Any command that ends by exec'ing scripts/run (the README walkthrough
  // runs the README's line through bash in a scratch checkout); `mentioned`
  // is what the processes it starts name on their command lines.
  RunScript(std::string binary, std::vector<std::string> args,
            std::map<std::string, std::string> env, const std::filesystem::path& log_dir,
            const std::string& log_name, std::filesystem::path mentioned);
  ~RunScript();
  RunScript(const RunScript&) = delete;
  RunScript& operator=(const RunScript&) = delete;

  void Start();
  // Start, then wait up to 150 s (a first start may provision streams) for
  // "ready:"; REQUIREs it, with the script's output in the message.
  void StartAndWaitUntilReady();

  // SIGTERM to the script alone; REQUIREs that it exits within 60 s, CHECKs
  // that it exited 0 and that nothing it started is still running.
  void StopCleanly();

  std::optional<ExitStatus> WaitForExit(std::chrono::milliseconds timeout) {
    return process_.WaitForExit(timeout);
  }
  bool Running() { return process_.Running(); }
  // What the script printed so far.
  std::string Log() const { return process_.Log(); }
  pid_t pid() const { return process_.pid(); }
  // Processes still running that the script started (see above).
  std::vector<std::string> LeftRunning() const { return ProcessesMentioning(mentioned_.string()); }

 private:
  ChildProcess process_;
  std::filesystem::path mentioned_;
  std::string label_;  // "scripts/run --secure", for messages
};

}  // namespace logistics::testing
