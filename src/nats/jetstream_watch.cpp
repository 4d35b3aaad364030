#include "logistics/nats/jetstream_watch.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <memory>

#include "logistics/logging/log.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/handles.hpp"

namespace logistics::nats {
namespace {

// A check never waits longer than this for JetStream's answer: a healthy
// server answers $JS.API.INFO in about a millisecond, and a longer wait would
// only delay Stop() (and with it Connection::Close).
constexpr std::chrono::milliseconds kLongestCheck{2000};

// The local address of a connected TCP socket, as nats.c writes it
// (inet_ntop and the port), or nothing for any other descriptor.
bool IsConnectedSocketAt(int fd, const std::string& ip, int port) {
  int type = 0;
  socklen_t type_length = sizeof(type);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_STREAM) {
    return false;
  }
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return false;
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) return false;
  std::array<char, 64> text{};
  int local_port = 0;
  const void* address = nullptr;
  if (local.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&local);
    address = &v4->sin_addr;
    local_port = ntohs(v4->sin_port);
  } else if (local.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&local);
    address = &v6->sin6_addr;
    local_port = ntohs(v6->sin6_port);
  } else {
    return false;
  }
  if (inet_ntop(local.ss_family, address, text.data(), text.size()) == nullptr) return false;
  return local_port == port && ip == text.data();
}

// The inodes of this process's TCP sockets bound to local `port`, from the
// kernel's socket tables (/proc/self/net/tcp and tcp6: "sl local_address
// rem_address st ... inode", the port in hex after the address).
std::set<std::string> SocketInodesOnPort(int port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
    std::ifstream file(table);
    std::string line;
    std::getline(file, line);  // the header
    while (std::getline(file, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode)) {
        continue;
      }
      const auto colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port) inodes.insert(inode);
    }
  }
  return inodes;
}

}  // namespace

JetStreamMovePolicy::JetStreamMovePolicy(std::chrono::milliseconds interval)
    : first_backoff_(std::min(kMaxBackoff, 2 * kFailuresBeforeMove * interval)) {}

JetStreamWatchAction JetStreamMovePolicy::AfterCheck(bool answered, bool server_changed,
                                                     bool other_servers_known,
                                                     Clock::time_point now) {
  if (server_changed) {
    failures_ = 0;
    warned_ = false;
  }
  if (answered) {
    const bool recovered = moved_ || failures_ >= kFailuresBeforeMove;
    failures_ = 0;
    warned_ = false;
    moved_ = false;
    backoff_ = std::chrono::milliseconds{0};
    next_move_allowed_ = {};
    return recovered ? JetStreamWatchAction::kReportRecovered : JetStreamWatchAction::kNothing;
  }
  ++failures_;
  if (failures_ < kFailuresBeforeMove) return JetStreamWatchAction::kNothing;
  if (!other_servers_known) {
    if (warned_) return JetStreamWatchAction::kNothing;
    warned_ = true;
    return JetStreamWatchAction::kWarnNowhereToGo;
  }
  if (now < next_move_allowed_) return JetStreamWatchAction::kNothing;
  // The back-off guards the move after this one: it only grows while moves
  // keep not helping (no check has succeeded since the previous move).
  backoff_ = moved_ ? std::min(kMaxBackoff, 2 * backoff_) : first_backoff_;
  next_move_allowed_ = now + backoff_;
  moved_ = true;
  failures_ = 0;
  return JetStreamWatchAction::kMove;
}

JetStreamWatch::JetStreamWatch(natsConnection* connection, std::chrono::milliseconds interval,
                               std::string url_for_logs, std::string name)
    : connection_(connection),
      interval_(interval),
      url_for_logs_(std::move(url_for_logs)),
      name_(std::move(name)) {
  thread_ = std::thread([this] { Run(); });
}

JetStreamWatch::~JetStreamWatch() { Stop(); }

void JetStreamWatch::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // A second Stop() (Close, then the destructor; or two threads) waits for
  // the first join rather than joining the same thread twice.
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

std::string JetStreamWatch::ConnectedUrl() const {
  std::array<char, 512> buffer{};
  if (natsConnection_GetConnectedUrl(connection_, buffer.data(), buffer.size()) != NATS_OK) {
    return {};
  }
  return RedactUrl(buffer.data());
}

std::string JetStreamWatch::ConnectedServerId() const {
  std::array<char, 128> buffer{};
  if (natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED ||
      natsConnection_GetConnectedServerId(connection_, buffer.data(), buffer.size()) != NATS_OK) {
    return {};
  }
  return buffer.data();
}

bool JetStreamWatch::OtherServersKnown() const {
  char** servers = nullptr;
  int count = 0;
  if (natsConnection_GetServers(connection_, &servers, &count) != NATS_OK) return false;
  for (int i = 0; i < count; ++i) std::free(servers[i]);  // NOLINT(*-no-malloc): nats.c's strings
  std::free(servers);                                     // NOLINT(*-no-malloc)
  return count > 1;
}

std::string JetStreamWatch::Check(jsCtx* context) {
  jsAccountInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetAccountInfo(&info, context, nullptr, &js_error);
  jsAccountInfo_Destroy(info);
  if (s == NATS_OK) return {};
  return MakeNatsError(s, "JetStream account information", js_error).message;
}

bool JetStreamWatch::EndSocket() {
  char* raw_ip = nullptr;
  int port = 0;
  if (natsConnection_GetLocalIPAndPort(connection_, &raw_ip, &port) != NATS_OK) return false;
  const std::string ip = raw_ip;
  std::free(raw_ip);  // NOLINT(*-no-malloc): nats.c's string
  // The socket is found by name, not by touching descriptors: the kernel's
  // table of this process's TCP sockets gives the inodes bound to the port,
  // and /proc/self/fd's links name each descriptor's inode. Only the one
  // descriptor that names such an inode is then duplicated; every other
  // descriptor of the process (another connection's socket, a database
  // file), which other threads may close at any time, is left untouched.
  const std::set<std::string> inodes = SocketInodesOnPort(port);
  if (inodes.empty()) return false;
  std::unique_ptr<DIR, int (*)(DIR*)> descriptors(opendir("/proc/self/fd"), &closedir);
  if (!descriptors) return false;
  while (const dirent* entry = readdir(descriptors.get())) {
    char* end = nullptr;
    const long number = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    std::array<char, 64> link{};
    const std::string path = std::string("/proc/self/fd/") + entry->d_name;
    const ssize_t length = readlink(path.c_str(), link.data(), link.size() - 1);
    if (length <= 0) continue;
    const std::string target(link.data(), static_cast<std::size_t>(length));
    if (target.rfind("socket:[", 0) != 0 ||
        inodes.count(target.substr(8, target.size() - 9)) == 0) {
      continue;
    }
    // A duplicate of its own: should nats.c close the socket and the number
    // be reused meanwhile, the duplicate holds whatever it now names, which
    // then does not match, and nothing else is touched.
    const int copy = fcntl(static_cast<int>(number), F_DUPFD_CLOEXEC, 0);
    if (copy < 0) continue;
    // Asking nats.c (under its connection lock) once more orders this
    // thread's look at the descriptor before nats.c's close of it, which
    // comes under the same lock once it sees the socket end.
    char* again = nullptr;
    int again_port = 0;
    const bool same = natsConnection_GetLocalIPAndPort(connection_, &again, &again_port) == NATS_OK &&
                      again_port == port && again != nullptr && ip == again;
    std::free(again);  // NOLINT(*-no-malloc): nats.c's string
    const bool found = same && IsConnectedSocketAt(copy, ip, port);
    if (found) shutdown(copy, SHUT_RDWR);
    close(copy);
    if (found) return true;
  }
  return false;
}

void JetStreamWatch::Run() {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = std::min(interval_, kLongestCheck).count();
  jsCtx* raw_context = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw_context, connection_, &options); s != NATS_OK) {
    logging::Error("cannot watch JetStream through the NATS server",
                   {{"connection", name_}, {"url", url_for_logs_}, {"error", natsStatus_GetText(s)}});
    return;
  }
  const JetStreamHandle context(raw_context);
  JetStreamMovePolicy policy(interval_);
  std::string last_server;
  std::string left_server;  // the URL of the last move, for the recovery line
  JetStreamMovePolicy::Clock::time_point moved_at{};
  auto next_check = JetStreamMovePolicy::Clock::now() + interval_;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next_check, [this] { return stopping_; })) return;
    }
    const auto started = JetStreamMovePolicy::Clock::now();
    next_check = std::max(next_check + interval_, started);
    const std::string server = ConnectedServerId();
    if (server.empty()) continue;  // reconnecting: nothing to judge
    const std::string why = Check(context.get());
    if (ConnectedServerId() != server) continue;  // straddled a reconnect
    const bool changed = server != last_server;
    last_server = server;
    const auto now = JetStreamMovePolicy::Clock::now();
    switch (policy.AfterCheck(why.empty(), changed, !why.empty() && OtherServersKnown(), now)) {
      case JetStreamWatchAction::kNothing:
        if (!why.empty()) {
          logging::Debug("JetStream did not answer through the NATS server",
                         {{"connection", name_}, {"server", ConnectedUrl()}, {"failures", policy.failures()},
                          {"error", why}});
        }
        break;
      case JetStreamWatchAction::kWarnNowhereToGo:
        logging::Warn(
            "JetStream does not answer through the NATS server, and no other server is known "
            "to move to; staying (said once until it answers again)",
            {{"connection", name_}, {"server", ConnectedUrl()}, {"failed_checks", JetStreamMovePolicy::kFailuresBeforeMove},
             {"error", why}});
        break;
      case JetStreamWatchAction::kMove: {
        const std::string leaving = ConnectedUrl();
        if (!EndSocket()) {
          logging::Warn("JetStream does not answer through the NATS server, but its socket was "
                        "not found to move away; staying",
                        {{"connection", name_}, {"server", leaving}, {"error", why}});
          break;
        }
        moves_.fetch_add(1, std::memory_order_relaxed);
        left_server = leaving;
        moved_at = now;
        logging::Warn("JetStream does not answer through the NATS server; moving to another server",
                      {{"connection", name_},
                       {"server", leaving},
                       {"failed_checks", JetStreamMovePolicy::kFailuresBeforeMove},
                       {"error", why},
                       {"next_move_not_before_ms", policy.backoff().count()}});
        break;
      }
      case JetStreamWatchAction::kReportRecovered: {
        const auto since_move =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - moved_at).count();
        logging::Info("JetStream answers through the NATS server",
                      {{"connection", name_},
                       {"server", ConnectedUrl()},
                       {"moved_from", left_server},
                       {"ms_since_move", left_server.empty() ? 0 : since_move}});
        left_server.clear();
        break;
      }
    }
  }
}

}  // namespace logistics::nats
