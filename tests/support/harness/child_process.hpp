// ChildProcess: a program started by a test, with its output in a log file.
//
// Constructing one only records what to run; Start() runs it: fork and execute
// `binary` (a path, or a name looked up in PATH) with `args`, in an environment
// made of the test's own environment plus `env` (which wins on conflicts).
// Standard input is /dev/null; standard output and standard error both go to
// `<log_dir>/<log_name>.log` (log_name defaults to the binary's file name).
// Every start writes a new file: a second run, or a second process with the
// same name in the same directory, gets `<log_name>.2.log`, and so on, so no
// log is overwritten. File descriptors of the test other than 0, 1 and 2 are
// not inherited. After the process has exited (or been stopped), Start() runs
// the same command again, e.g. to restart a killed service on its database.
//
// Process group: the child runs in a process group of its own whose id is its
// pid, and Signal, Terminate, Kill and the destructor signal that whole group.
// So stopping a shell script also stops the programs it started in the
// background (unless they moved to a group or session of their own, as
// scripts/run does with its services on purpose). To signal the child alone,
// call ::kill(process.pid(), signal).
//
// Cleanup: the destructor always stops and reaps the child: SIGTERM to the
// group, a grace of two seconds, then SIGKILL. Whenever this object stops the
// child (Terminate, Kill, destructor, a new Start) it also SIGKILLs whatever is
// left of the group once the child itself has exited, so a failing test leaves
// nothing running. A child that exits on its own is reaped by Running and
// WaitForExit, which leave the rest of its group alone, so a test can check
// that a script cleaned up after itself before the destructor sweeps.
//
// Failures: problems of the environment (fork fails, the binary cannot be
// executed, the log cannot be created) fail the running test with Catch2's
// FAIL and a readable message; nothing here returns error codes. Under a
// sanitizer build run by scripts/test, a child that wrote a sanitizer report
// fails the test when it is reaped (FAIL_CHECK, with the report).
//
// Thread-safety: none; one ChildProcess is used by one test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace logistics::testing {

// How a child process ended.
struct ExitStatus {
  bool exited = false;  // true: it called exit(); false: a signal ended it
  int code = 0;         // the exit code, when exited
  int signal = 0;       // the signal that ended it, when !exited

  bool Success() const { return exited && code == 0; }
  // "exit code 3" or "killed by signal 15 (Terminated)".
  std::string ToString() const;
};

class ChildProcess {
 public:
  // Records the command; does not start it (see Start).
  ChildProcess(std::string binary, std::vector<std::string> args,
               std::map<std::string, std::string> env, std::filesystem::path log_dir,
               std::string log_name = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the process with a new log file; does nothing if it is running.
  // Fails the test (FAIL) if the log file cannot be created, fork fails or the
  // binary cannot be executed.
  void Start();

  // The child's pid, which is also its process group id; -1 before Start.
  // Stays set (but means nothing) after the child has been reaped.
  pid_t pid() const { return pid_; }
  // The log file of the current (or last) run; empty before Start.
  const std::filesystem::path& log_path() const { return log_path_; }

  // True while the child has not exited (false before Start). Reaps it when
  // it has.
  bool Running();
  // Sends `signal` to the child's process group. Does nothing once the child
  // has been reaped (the group id could belong to someone else by then).
  void Signal(int signal);
  // SIGTERM to the group, waits up to `timeout` for the child to exit, then
  // SIGKILL; afterwards SIGKILLs what is left of the group. Returns how the
  // child ended (if it had already exited, how it did; if it never started,
  // exit code -1).
  ExitStatus Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL to the group, then reaps the child. Returns how it ended.
  ExitStatus Kill();
  // Waits up to `timeout` for the child to exit on its own. Returns its exit
  // status, or nullopt if it is still running (or never started).
  std::optional<ExitStatus> WaitForExit(std::chrono::milliseconds timeout);
  // The exit status once the child has been reaped, nullopt before.
  const std::optional<ExitStatus>& exit_status() const { return exit_status_; }

  // The whole log of the current (or last) run so far ("" before Start).
  std::string Log() const;
  // Waits up to `timeout` for the log to contain `text`. Returns false on
  // timeout, and early if the child exits without having written it.
  bool WaitForLog(const std::string& text,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Non-blocking reap; returns true if the child has exited (now or before).
  bool Reap();
  void ReapBlocking();
  void KillGroupRemains();

  std::string binary_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> env_;
  std::filesystem::path log_dir_;
  std::string log_name_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  std::filesystem::file_time_type started_;  // of the current (or last) run
  std::optional<ExitStatus> exit_status_;
};

}  // namespace logistics::testing
