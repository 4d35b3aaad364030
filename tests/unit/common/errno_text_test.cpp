#include <catch2/catch.hpp>

#include <cerrno>

#include "logistics/common/errno_text.hpp"

using logistics::common::ErrnoText;

TEST_CASE("the text of an error number is the C library's, from any thread", "[common]") {
  CHECK(ErrnoText(ENOENT) == "No such file or directory");
  CHECK(ErrnoText(ENOSPC) == "No space left on device");
}

TEST_CASE("an error number the C library does not know still gets a text naming it", "[common]") {
  const std::string text = ErrnoText(987654);
  CHECK_FALSE(text.empty());
  CHECK(text.find("987654") != std::string::npos);
}
