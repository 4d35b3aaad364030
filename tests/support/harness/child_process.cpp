#include "support/harness/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "support/harness/eventually.hpp"

extern char** environ;

namespace logistics::testing {

namespace {

// A name without '/' is looked up in PATH, in the parent: after fork only
// async-signal-safe calls are allowed, and execvp may allocate.
std::string ResolveBinary(const std::string& binary) {
  if (binary.find('/') != std::string::npos) return binary;
  const char* path_variable = std::getenv("PATH");
  std::stringstream path(path_variable != nullptr ? path_variable : "/usr/bin:/bin");
  std::string directory;
  while (std::getline(path, directory, ':')) {
    if (directory.empty()) continue;
    const std::filesystem::path candidate = std::filesystem::path(directory) / binary;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(candidate, ignored) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return binary;  // execve will fail and report ENOENT
}

// Opens a log file that did not exist before, so that no earlier log is lost.
int OpenNewLog(const std::filesystem::path& log_dir, const std::string& log_name,
               std::filesystem::path& log_path) {
  for (int attempt = 1; attempt < 1000; ++attempt) {
    // Appending to one string (rather than "." + std::to_string(...)) avoids
    // GCC 12's false -Wrestrict warning on operator+ at -O3.
    std::string file_name = log_name;
    if (attempt > 1) file_name.append(".").append(std::to_string(attempt));
    file_name.append(".log");
    log_path = log_dir / file_name;
    const int fd =
        ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    merged.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  for (const auto& [name, value] : extra) merged[name] = value;
  std::vector<std::string> result;
  result.reserve(merged.size());
  for (const auto& [name, value] : merged) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// What we report for a child that someone else reaped, or that never ran.
constexpr ExitStatus kUnknownExit{.exited = true, .code = -1, .signal = 0};

ExitStatus Decode(int status) {
  ExitStatus result;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

// Under `scripts/test --sanitize` or `--tsan` every process writes its
// sanitizer reports to files <tool>.<executable>.<pid> in the directory named
// by LOGISTICS_SANITIZER_REPORTS (see scripts/test). A report written by the
// child `pid` of `binary` since `started` fails the running test, with the
// report attached. FAIL_CHECK, not FAIL: this runs on every reap, in
// destructors too, and must not throw.
void FailOnSanitizerReports(pid_t pid, const std::string& binary,
                            std::filesystem::file_time_type started) {
  const char* directory = std::getenv("LOGISTICS_SANITIZER_REPORTS");
  if (directory == nullptr || *directory == '\0' || pid <= 0) return;
  const std::string suffix =
      "." + std::filesystem::path(binary).filename().string() + "." + std::to_string(pid);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    // Skip an earlier process's report under the same pid. File times come
    // from the kernel's coarse clock, up to a few milliseconds behind ours.
    if (entry.last_write_time(error) < started - std::chrono::seconds(1)) continue;
    std::ifstream file(entry.path());
    std::ostringstream report;
    report << file.rdbuf();
    FAIL_CHECK(binary << " (pid " << pid << ") wrote a sanitizer report, " << entry.path().string()
                      << ":\n"
                      << report.str().substr(0, 20000));
  }
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

ChildProcess::ChildProcess(std::string binary, std::vector<std::string> args,
                           std::map<std::string, std::string> env, std::filesystem::path log_dir,
                           std::string log_name)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      env_(std::move(env)),
      log_dir_(std::move(log_dir)),
      log_name_(log_name.empty() ? std::filesystem::path(binary_).filename().string()
                                 : std::move(log_name)) {}

void ChildProcess::Start() {
  if (Running()) return;
  if (pid_ > 0) KillGroupRemains();  // of the previous run, before we forget its pid
  pid_ = -1;
  exit_status_.reset();
  const std::string binary = ResolveBinary(binary_);
  const int log_fd = OpenNewLog(log_dir_, log_name_, log_path_);
  if (log_fd < 0) {
    const int error = errno;
    FAIL("cannot create the log of " << binary << " in " << log_dir_ << ": "
                                     << std::strerror(error));
  }

  // Everything the child needs is prepared before fork (see ResolveBinary).
  std::vector<std::string> argv_strings;
  argv_strings.push_back(binary);
  argv_strings.insert(argv_strings.end(), args_.begin(), args_.end());
  std::vector<char*> argv = PointersTo(argv_strings);
  std::vector<std::string> envp_strings = MergedEnvironment(env_);
  std::vector<char*> envp = PointersTo(envp_strings);
  rlimit files{};
  const int max_fd = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY
                         ? static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 16))
                         : 1 << 16;
  sigset_t no_signals;
  sigemptyset(&no_signals);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  const int dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // The child reports a failed execve through this pipe; a successful one
  // closes it (O_CLOEXEC), so the parent reads EOF.
  int exec_error_pipe[2];
  if (dev_null < 0 || ::pipe2(exec_error_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(log_fd);
    if (dev_null >= 0) ::close(dev_null);
    FAIL("cannot prepare to start " << binary << ": " << std::strerror(error));
  }

  started_ = std::filesystem::file_time_type::clock::now();
  pid_ = ::fork();
  if (pid_ == 0) {
    // In the child: async-signal-safe calls only.
    ::setpgid(0, 0);
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
      ::sigaction(signal_number, &default_action, nullptr);  // fails harmlessly for some
    }
    ::dup2(dev_null, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    ::execve(binary.c_str(), argv.data(), envp.data());
    const int error = errno;
    [[maybe_unused]] const ssize_t written = ::write(exec_error_pipe[1], &error, sizeof(error));
    ::_exit(127);
  }

  const int fork_error = errno;
  ::close(exec_error_pipe[1]);
  ::close(dev_null);
  ::close(log_fd);
  if (pid_ < 0) {
    ::close(exec_error_pipe[0]);
    FAIL("cannot fork to start " << binary << ": " << std::strerror(fork_error));
  }
  // Also set the group here, so that signalling the group works even before
  // the child has run its first instruction (the loser of the race gets EACCES
  // or nothing to do).
  ::setpgid(pid_, pid_);

  int exec_error = 0;
  ssize_t got;
  do {
    got = ::read(exec_error_pipe[0], &exec_error, sizeof(exec_error));
  } while (got < 0 && errno == EINTR);
  ::close(exec_error_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof(exec_error))) {
    ReapBlocking();
    FAIL("cannot execute " << binary << ": " << std::strerror(exec_error));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  if (Reap()) {
    KillGroupRemains();
  } else {
    Terminate(std::chrono::seconds(2));
  }
}

bool ChildProcess::Reap() {
  if (exit_status_ || pid_ <= 0) return true;
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid_, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return false;
  // ECHILD: someone else reaped it (SIGCHLD ignored, say); it is gone.
  exit_status_ = reaped == pid_ ? Decode(status) : kUnknownExit;
  FailOnSanitizerReports(pid_, binary_, started_);
  return true;
}

void ChildProcess::ReapBlocking() {
  if (exit_status_ || pid_ <= 0) return;
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid_, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  exit_status_ = reaped == pid_ ? Decode(status) : kUnknownExit;
  FailOnSanitizerReports(pid_, binary_, started_);
}

void ChildProcess::KillGroupRemains() {
  if (pid_ <= 0) return;
  // The kernel does not reuse a group id while any member lives, so this
  // reaches only what this child left behind, or nothing (ESRCH). Only once
  // the whole group is gone could the number pass to an unrelated group; we
  // accept that remote chance rather than leave processes behind.
  ::kill(-pid_, SIGKILL);
}

bool ChildProcess::Running() { return !Reap(); }

void ChildProcess::Signal(int signal) {
  if (!Reap()) ::kill(-pid_, signal);
}

ExitStatus ChildProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!Reap()) {
    ::kill(-pid_, SIGTERM);
    if (!WaitForExit(timeout)) {
      ::kill(-pid_, SIGKILL);
      ReapBlocking();
    }
  }
  KillGroupRemains();
  return exit_status_.value_or(kUnknownExit);
}

ExitStatus ChildProcess::Kill() {
  if (!Reap()) {
    ::kill(-pid_, SIGKILL);
    ReapBlocking();
  }
  KillGroupRemains();
  return exit_status_.value_or(kUnknownExit);
}

std::optional<ExitStatus> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
  Eventually([this] { return Reap(); }, timeout, std::chrono::milliseconds(5));
  return exit_status_;
}

std::string ChildProcess::Log() const {
  if (log_path_.empty()) return {};
  std::ifstream file(log_path_, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

bool ChildProcess::WaitForLog(const std::string& text, std::chrono::milliseconds timeout) {
  const auto written = [&] { return Log().find(text) != std::string::npos; };
  // Stop early when the child has exited, then look once more: it may have
  // written the text just before exiting.
  Eventually([&] { return written() || !Running(); }, timeout, std::chrono::milliseconds(20));
  return written();
}

}  // namespace logistics::testing
