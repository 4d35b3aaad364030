#include "support/harness/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>

namespace logistics::testing {
namespace {

// Binds 127.0.0.1:port (0: the kernel picks) and returns the port bound, or 0.
int BindAndRelease(int port, int* error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = errno;
    FAIL("cannot create a TCP socket to find a free port: " << std::strerror(*error));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t length = sizeof(address);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  *error = errno;
  ::close(fd);
  return ok ? ntohs(address.sin_port) : 0;
}

}  // namespace

int FreeTcpPort() {
  int ephemeral_low = 32768;
  if (std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range"); range) range >> ephemeral_low;
  static std::mutex mutex;
  static std::mt19937 random(std::random_device{}());
  int error = 0;
  if (ephemeral_low > 10001) {
    std::uniform_int_distribution<int> pick(10000, ephemeral_low - 1);
    for (int attempt = 0; attempt < 200; ++attempt) {
      int candidate = 0;
      {
        std::lock_guard lock(mutex);
        candidate = pick(random);
      }
      if (const int port = BindAndRelease(candidate, &error); port != 0) return port;
    }
  }
  const int port = BindAndRelease(0, &error);
  if (port == 0) FAIL("cannot bind 127.0.0.1:0 to find a free port: " << std::strerror(error));
  return port;
}

}  // namespace logistics::testing
