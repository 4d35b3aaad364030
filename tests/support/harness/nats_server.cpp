#include "support/harness/nats_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <system_error>
#include <utility>

#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"

namespace logistics::testing {

namespace {

std::string NatsServerBinary() {
  if (const char* configured = std::getenv("NATS_SERVER_BIN");
      configured != nullptr && *configured != '\0') {
    return configured;
  }
  const char* path_variable = std::getenv("PATH");
  std::string path = path_variable != nullptr ? path_variable : "";
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find(':', begin), path.size());
    const std::filesystem::path candidate =
        std::filesystem::path(path.substr(begin, end - begin)) / "nats-server";
    if (end > begin && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    begin = end + 1;
  }
  return "/usr/sbin/nats-server";  // Debian installs it here, often not in PATH
}

bool AcceptsConnections(const std::string& host, int port) {
  sockaddr_in address{};
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

namespace {

NatsServerOptions WithStoreAndPort(std::filesystem::path store_dir, int port) {
  NatsServerOptions options;
  options.store_dir = std::move(store_dir);
  options.port = port;
  return options;
}

}  // namespace

NatsServer::NatsServer(std::filesystem::path store_dir, int port)
    : NatsServer(WithStoreAndPort(std::move(store_dir), port)) {}

NatsServer::NatsServer(NatsServerOptions options)
    : store_dir_(std::move(options.store_dir)),
      log_dir_(std::move(options.log_dir)),
      host_(std::move(options.host)),
      port_(options.port != 0 ? options.port : FreeTcpPort()),
      start_timeout_(options.start_timeout) {
  if (store_dir_.empty()) {
    owned_dir_.emplace("nats-server");
    store_dir_ = owned_dir_->path() / "store";
    if (log_dir_.empty()) log_dir_ = owned_dir_->path();
  } else if (log_dir_.empty()) {
    log_dir_ = store_dir_;
  }
  std::error_code error;
  std::filesystem::create_directories(store_dir_, error);
  if (error) {
    FAIL("cannot create the NATS store directory " << store_dir_ << ": " << error.message());
  }
  std::filesystem::create_directories(log_dir_, error);
  if (error) FAIL("cannot create the NATS log directory " << log_dir_ << ": " << error.message());

  std::vector<std::string> args = {
      "-js", "-a", host_, "-p", std::to_string(port_), "-sd", store_dir_.string()};
  if (!options.name.empty()) {
    args.push_back("-n");
    args.push_back(options.name);
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::string binary = NatsServerBinary();
  if (!options.command_prefix.empty()) {
    // The prefix runs first and is given the server and its arguments.
    args.insert(args.begin(), binary);
    args.insert(args.begin(), options.command_prefix.begin() + 1, options.command_prefix.end());
    binary = options.command_prefix.front();
  }
  process_ = std::make_unique<ChildProcess>(std::move(binary), std::move(args),
                                            std::move(options.env), log_dir_, "nats-server");
}

NatsServer::~NatsServer() {
  // The server stops before its store is removed (owned_dir_ is destroyed
  // after this body), and with SIGTERM first so it closes the store cleanly.
  if (process_->Running()) process_->Terminate(std::chrono::seconds(10));
}

void NatsServer::Start() {
  if (process_->Running()) return;
  process_->Start();
  const bool ready =
      process_->WaitForLog("Server is ready", start_timeout_) &&
      Eventually([this] { return AcceptsConnections(host_, port_); }, start_timeout_);
  if (!ready) {
    const std::string how =
        process_->Running()
            ? "is still not ready after " + std::to_string(start_timeout_.count()) + " ms"
            : "exited (" + process_->exit_status()->ToString() + ")";
    const std::string log = process_->Log();
    process_->Kill();
    FAIL("nats-server on " << host_ << ":" << port_ << " with store " << store_dir_ << " " << how
                                     << "\n--- " << process_->log_path().string() << " ---\n"
                                     << log);
  }
}

std::optional<ExitStatus> NatsServer::Stop() {
  if (!process_->Running()) return std::nullopt;
  return process_->Terminate(std::chrono::seconds(10));
}

std::optional<ExitStatus> NatsServer::Kill() {
  if (!process_->Running()) return std::nullopt;
  return process_->Kill();
}

void NatsServer::Restart() {
  Stop();
  Start();
}

bool NatsServer::Running() { return process_->Running(); }

std::string NatsServer::url() const { return "nats://" + host_ + ":" + std::to_string(port_); }

std::string NatsServer::Log() const { return process_->Log(); }

}  // namespace logistics::testing
