#include "logistics/messaging/lease_holder.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

namespace logistics::messaging {
namespace {

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "unknown-host";
  return name;
}

// Field 22 of /proc/<pid>/stat (starttime). The command name (field 2) is in
// parentheses and may hold spaces, so the fields are counted after its ')'.
std::optional<std::string> StartTicks(long pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  const auto name_end = line.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(name_end + 1));
  std::string field;
  for (int index = 3; index <= 22; ++index) {
    if (!(fields >> field)) return std::nullopt;
  }
  return field;
}

}  // namespace

std::string ThisProcessAsLeaseHolder() {
  const long pid = static_cast<long>(::getpid());
  return HostName() + "/" + std::to_string(pid) + "/" + StartTicks(pid).value_or("0");
}

bool LeaseHolderIsGone(const std::string& holder) {
  const auto first = holder.find('/');
  const auto second = first == std::string::npos ? first : holder.find('/', first + 1);
  if (second == std::string::npos) return false;
  if (std::string_view(holder).substr(0, first) != HostName()) return false;
  long pid = 0;
  const std::string_view pid_text = std::string_view(holder).substr(first + 1, second - first - 1);
  const auto parsed = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (parsed.ec != std::errc() || pid <= 0) return false;
  const auto ticks = StartTicks(pid);
  return !ticks || *ticks != holder.substr(second + 1);
}

}  // namespace logistics::messaging
