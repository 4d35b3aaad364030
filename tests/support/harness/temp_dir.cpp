#include "support/harness/temp_dir.hpp"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>
#include <utility>
#include <vector>

namespace logistics::testing {

namespace {

std::filesystem::path TempRoot() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir != nullptr && *tmpdir != '\0') return tmpdir;
  return "/tmp";
}

bool KeepRequested() {
  const char* keep = std::getenv("LOGISTICS_KEEP_TEMP");
  return keep != nullptr && std::string_view(keep) == "1";
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (TempRoot() / std::string(prefix)).string() + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    const int error = errno;
    FAIL("cannot create a temporary directory from " << pattern << ": " << std::strerror(error));
  }
  path_ = std::filesystem::absolute(buffer.data());
}

TempDir::~TempDir() { Remove(); }

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

void TempDir::Remove() noexcept {
  if (path_.empty()) return;
  if (KeepRequested()) {
    std::cerr << "LOGISTICS_KEEP_TEMP=1: keeping " << path_.string() << '\n';
    return;
  }
  // A destructor must not throw; a directory we cannot remove is only litter.
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace logistics::testing
