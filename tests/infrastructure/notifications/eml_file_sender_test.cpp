// EmlFileSender: with no SMTP server, every mail becomes an .eml file.
#include "logistics/notifications/infrastructure/eml_file_sender.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "infrastructure/notifications/mime_reader.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/harness/temp_dir.hpp"

namespace {

using logistics::notifications::domain::Mail;
using logistics::notifications::infrastructure::EmlFileSender;
using logistics::notifications::infrastructure::MailFrom;
using logistics::testing::DecodeHeaderValue;
using logistics::testing::DecodeQuotedPrintableForTest;
using logistics::testing::FixedClock;
using logistics::testing::ReadMimeMessage;
using logistics::testing::TempDir;
using logistics::testing::WithLf;

Mail ZoeMail() {
  return Mail{"zoe@example.com", "Zoë Núñez", "Your order TRK-1 is on its way",
              "Hello Zoë Núñez,\n\nRoute: São Paulo \u2192 Kraków\n"};
}

std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("each mail becomes one complete .eml file named by its event id",
          "[notifications][eml]") {
  TempDir temp;
  FixedClock clock;                                         // 2026-01-01T00:00:00.000Z
  const std::filesystem::path dir = temp / "var" / "mail";  // created on demand
  EmlFileSender sender(dir, MailFrom{"noreply@logistics.example", "Logistics"}, clock);

  const std::string id = "<0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f@logistics.example>";
  REQUIRE(sender.Send(ZoeMail(), id));

  const auto files = FilesIn(dir);
  REQUIRE(files.size() == 1);  // no temporary file left behind
  CHECK(files[0].filename() == "0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f.eml");

  const auto message = ReadMimeMessage(Slurp(files[0]));
  CHECK(message.crlf_only);
  CHECK(message.headers.at("Message-ID") == id);
  CHECK(message.headers.at("Date") == "Thu, 01 Jan 2026 00:00:00 +0000");
  CHECK(message.headers.at("From") == "\"Logistics\" <noreply@logistics.example>");
  CHECK(DecodeHeaderValue(message.headers.at("To")) == "Zoë Núñez <zoe@example.com>");
  CHECK(DecodeHeaderValue(message.headers.at("Subject")) == "Your order TRK-1 is on its way");
  const auto body = DecodeQuotedPrintableForTest(message.body);
  REQUIRE(body.has_value());
  CHECK(WithLf(*body) == ZoeMail().body);
}

TEST_CASE("sending the same message again replaces its file instead of adding a second",
          "[notifications][eml]") {
  // The redelivery after a crash between the send and the commit sends the
  // same message again, later: it must leave one file.
  TempDir temp;
  FixedClock clock;
  EmlFileSender sender(temp / "mail", MailFrom{"noreply@logistics.example", ""}, clock);
  REQUIRE(sender.Send(ZoeMail(), "<e1@logistics.example>"));
  clock.Advance(std::chrono::milliseconds(1500));
  REQUIRE(sender.Send(ZoeMail(), "<e1@logistics.example>"));
  const auto files = FilesIn(temp / "mail");
  REQUIRE(files.size() == 1);  // and no temporary file left behind
  CHECK(files[0].filename() == "e1.eml");
  const auto message = ReadMimeMessage(Slurp(files[0]));
  CHECK(message.headers.at("Message-ID") == "<e1@logistics.example>");
  CHECK(message.headers.at("Date") == "Thu, 01 Jan 2026 00:00:01 +0000");  // the second copy, whole
}

TEST_CASE("different messages get different files even when their ids need escaping",
          "[notifications][eml]") {
  TempDir temp;
  FixedClock clock;
  EmlFileSender sender(temp / "mail", MailFrom{"noreply@logistics.example", ""}, clock);
  // '/' and '=' both become '_' in a file name; the hash keeps them apart.
  REQUIRE(sender.Send(ZoeMail(), "<a/b@logistics.example>"));
  REQUIRE(sender.Send(ZoeMail(), "<a=b@logistics.example>"));
  REQUIRE(sender.Send(ZoeMail(), "<a_b@logistics.example>"));
  REQUIRE(sender.Send(ZoeMail(), "<a=b@logistics.example>"));  // a re-send: same file
  const auto files = FilesIn(temp / "mail");
  REQUIRE(files.size() == 3);
  for (const auto& file : files) {
    CHECK(file.extension() == ".eml");
    CHECK(file.filename().string().find_first_of("/=") == std::string::npos);
  }
  CHECK(std::count(files.begin(), files.end(), temp / "mail" / "a_b.eml") == 1);
}

TEST_CASE("an unusable address is a permanent failure and writes nothing", "[notifications][eml]") {
  TempDir temp;
  FixedClock clock;
  EmlFileSender sender(temp / "mail", MailFrom{"noreply@logistics.example", ""}, clock);
  Mail mail = ZoeMail();
  mail.to_address = "zoe@example.com\r\nBcc: x@y.z";
  auto sent = sender.Send(mail, "<e1@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CHECK_FALSE(sent.error().transient);
  CHECK_FALSE(std::filesystem::exists(temp / "mail"));
}

TEST_CASE("a directory that cannot be created is a transient failure", "[notifications][eml]") {
  TempDir temp;
  FixedClock clock;
  { std::ofstream(temp / "not-a-dir") << "x"; }
  EmlFileSender sender(temp / "not-a-dir" / "mail", MailFrom{"noreply@logistics.example", ""},
                       clock);
  auto sent = sender.Send(ZoeMail(), "<e1@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CHECK(sent.error().transient);
  CHECK(sent.error().message.find("not-a-dir") != std::string::npos);
}
