// TempDir: a fresh, empty directory that disappears together with its owner.
//
// The directory is created under $TMPDIR (or /tmp when TMPDIR is unset) with a
// unique name, so tests running in parallel never share one. The destructor
// removes it recursively, unless the environment variable LOGISTICS_KEEP_TEMP
// is "1": then it is kept and its path is printed on stderr, so a failing test
// leaves its databases, stores and logs behind for inspection.
//
// Ownership: the object owns the directory and everything in it. It can be
// moved (the moved-from object then owns nothing) but not copied.
// Thread-safety: none needed; a TempDir is a plain value owned by one test.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace logistics::testing {

class TempDir {
 public:
  // Creates the directory. `prefix` starts its name (letters, digits, '-').
  // Fails the running test (Catch2 FAIL) if it cannot be created.
  explicit TempDir(std::string_view prefix = "logistics-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The absolute path of the directory; empty for a moved-from object.
  const std::filesystem::path& path() const { return path_; }
  // path() / name, for files inside the directory (which need not exist).
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  // path() as a string, for command lines and environment variables.
  std::string string() const { return path_.string(); }

 private:
  void Remove() noexcept;

  std::filesystem::path path_;
};

}  // namespace logistics::testing
