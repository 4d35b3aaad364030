#include "support/harness/network_namespaces.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <regex>
#include <sstream>

namespace logistics::testing {
namespace {

struct CommandResult {
  int status = -1;  // the exit code; -1 when it could not run or was killed
  std::string output;
};

// `command` through the shell, standard error with standard output. Only
// this file's own command lines get here (names it made, fixed verbs).
CommandResult Run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

bool ProcessAlive(long pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

// Namespaces and links of runs that died without their destructor (SIGKILL,
// a crash): every name of ours carries its run's pid.
void RemoveLeftoversOfDeadRuns() {
  const std::regex ours(R"(^(np(\d+)[a-z])(-n\d+|r\d+)\b)");
  std::smatch match;
  std::istringstream namespaces(Run("ip netns list").output);
  for (std::string line; std::getline(namespaces, line);) {
    if (std::regex_search(line, match, ours) && !ProcessAlive(std::stol(match[2]))) {
      Run("ip netns del " + match[0].str());
    }
  }
  std::istringstream links(Run("ip -o link show").output);
  for (std::string line; std::getline(links, line);) {
    // "7: np12345ar1@if6: <...>"
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(colon + 2, line.find_first_of("@:", colon + 2) - colon - 2);
    if (std::regex_search(name, match, ours) && !ProcessAlive(std::stol(match[2]))) {
      Run("ip link del " + name);
    }
  }
}

// A 10.x.y.0/24 this machine has no address or route in.
std::string PickSubnet() {
  const std::string in_use = Run("ip -4 -o addr show").output + Run("ip -4 route show").output;
  const long pid = getpid();
  for (int attempt = 0; attempt < 200; ++attempt) {
    const std::string subnet = "10." + std::to_string(180 + (attempt % 60)) + "." +
                               std::to_string((pid + attempt * 7) % 250 + 1) + ".";
    if (in_use.find(subnet) == std::string::npos) return subnet;
  }
  FAIL("no free 10.x.y.0/24 for the network namespaces");
  return {};
}

}  // namespace

std::string NetworkNamespaces::Unavailable() {
  if (geteuid() != 0) {
    return "not running as root: network namespaces and veth pairs need CAP_SYS_ADMIN and "
           "CAP_NET_ADMIN";
  }
  if (Run("ip -V").status != 0) {
    return "the `ip` command (Debian package iproute2) is not installed";
  }
  const std::string probe = "np" + std::to_string(getpid()) + "z";
  const CommandResult made = Run("ip netns add " + probe + "-n0");
  if (made.status != 0) return "cannot create a network namespace: " + made.output;
  Run("ip netns del " + probe + "-n0");
  const CommandResult pair = Run("ip link add " + probe + "r0 type veth peer name " + probe + "p0");
  if (pair.status != 0) return "cannot create a veth pair: " + pair.output;
  Run("ip link del " + probe + "r0");
  return {};
}

NetworkNamespaces::NetworkNamespaces(int nodes) : nodes_(nodes) {
  static std::atomic<int> runs{0};
  prefix_ = "np" + std::to_string(getpid()) + static_cast<char>('a' + runs.fetch_add(1) % 25);
  RemoveLeftoversOfDeadRuns();
  Cleanup();  // a letter reused within this process after 25 runs
  subnet_ = PickSubnet();
  try {
    for (int i = 0; i < nodes_; ++i) {
      const std::string ns = Name(i);
      const std::string inside = prefix_ + "c" + std::to_string(i + 1);
      Ip("netns add " + ns);
      Ip("-n " + ns + " link set lo up");
      Ip("link add " + Root(i) + " type veth peer name " + inside);
      Ip("link set " + inside + " netns " + ns);
      Ip("-n " + ns + " link set " + inside + " name eth0");
      // The test's side: one address (.1) on every node's link, a route to
      // each node through its own link.
      Ip("addr add " + subnet_ + "1/32 dev " + Root(i));
      Ip("link set " + Root(i) + " up");
      Ip("-n " + ns + " addr add " + Address(i) + "/32 dev eth0");
      Ip("-n " + ns + " link set eth0 up");
      Ip("-n " + ns + " route add " + subnet_ + "1/32 dev eth0 src " + Address(i));
      Ip("route add " + Address(i) + "/32 dev " + Root(i) + " src " + subnet_ + "1");
    }
    for (int i = 0; i < nodes_; ++i) {
      for (int j = i + 1; j < nodes_; ++j) {
        const std::string a = prefix_ + "x" + std::to_string(i + 1) + std::to_string(j + 1);
        const std::string b = prefix_ + "y" + std::to_string(i + 1) + std::to_string(j + 1);
        const std::string to_j = "to-n" + std::to_string(j + 1);
        const std::string to_i = "to-n" + std::to_string(i + 1);
        Ip("link add " + a + " type veth peer name " + b);
        Ip("link set " + a + " netns " + Name(i));
        Ip("link set " + b + " netns " + Name(j));
        Ip("-n " + Name(i) + " link set " + a + " name " + to_j);
        Ip("-n " + Name(j) + " link set " + b + " name " + to_i);
        Ip("-n " + Name(i) + " link set " + to_j + " up");
        Ip("-n " + Name(j) + " link set " + to_i + " up");
      }
    }
    Heal();  // the direct routes
  } catch (...) {
    Cleanup();
    throw;
  }
}

NetworkNamespaces::~NetworkNamespaces() { Cleanup(); }

void NetworkNamespaces::Cleanup() noexcept {
  try {
    for (int i = 0; i < nodes_; ++i) {
      // Deleting a namespace destroys the interfaces in it, and with each
      // veth end its peer; the root ends are deleted too in case a namespace
      // was never made.
      Run("ip netns del " + Name(i));
      Run("ip link del " + Root(i));
    }
  } catch (...) {
  }
}

std::string NetworkNamespaces::Name(int node) const {
  return prefix_ + "-n" + std::to_string(node + 1);
}

std::string NetworkNamespaces::Root(int node) const {
  return prefix_ + "r" + std::to_string(node + 1);
}

std::string NetworkNamespaces::Address(int node) const {
  return subnet_ + std::to_string(11 + node);
}

std::vector<std::string> NetworkNamespaces::CommandPrefix(int node) const {
  return {"ip", "netns", "exec", Name(node)};
}

void NetworkNamespaces::Ip(const std::string& args) const {
  const CommandResult result = Run("ip " + args);
  if (result.status != 0) {
    FAIL("`ip " << args << "` failed (exit " << result.status << "): " << result.output);
  }
}

void NetworkNamespaces::Partition(int node) {
  for (int other = 0; other < nodes_; ++other) {
    if (other == node) continue;
    Ip("-n " + Name(node) + " route replace blackhole " + Address(other) + "/32");
    Ip("-n " + Name(other) + " route replace blackhole " + Address(node) + "/32");
  }
}

void NetworkNamespaces::Heal() {
  for (int i = 0; i < nodes_; ++i) {
    for (int j = 0; j < nodes_; ++j) {
      if (i == j) continue;
      Ip("-n " + Name(i) + " route replace " + Address(j) + "/32 dev to-n" + std::to_string(j + 1) +
         " src " + Address(i));
    }
  }
}

}  // namespace logistics::testing
