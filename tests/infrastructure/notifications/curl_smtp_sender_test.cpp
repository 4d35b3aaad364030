// CurlSmtpSender against a real SMTP server (tests/support/smtp_sink.py, on
// aiosmtpd): what arrives, and how each kind of failure is classified.
#include "logistics/notifications/infrastructure/curl_smtp_sender.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "infrastructure/notifications/mime_reader.hpp"
#include "logistics/notifications/domain/compose_mail.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/temp_dir.hpp"

namespace {

using logistics::notifications::domain::ComposeMail;
using logistics::notifications::domain::Mail;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::PaymentContact;
using logistics::notifications::infrastructure::ClassifySmtpFailure;
using logistics::notifications::infrastructure::CurlSmtpSender;
using logistics::notifications::infrastructure::SmtpSettings;
using logistics::testing::ChildProcess;
using logistics::testing::DecodeHeaderValue;
using logistics::testing::DecodeQuotedPrintableForTest;
using logistics::testing::Eventually;
using logistics::testing::FixedClock;
using logistics::testing::FreeTcpPort;
using logistics::testing::ReadMimeMessage;
using logistics::testing::TempDir;
using logistics::testing::WithLf;
using namespace std::chrono_literals;

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The SMTP sink on a free loopback port, stopped when the test ends.
class SmtpSink {
 public:
  explicit SmtpSink(const TempDir& temp, std::vector<std::string> options = {})
      : port_(FreeTcpPort()),
        out_(temp / "received"),
        process_("/usr/bin/python3", Arguments(port_, out_, std::move(options)), {}, temp.path(),
                 "smtp-sink") {
    process_.Start();
    if (!process_.WaitForLog("smtp sink ready", 20s)) {
      FAIL("the SMTP sink did not start (is python3-aiosmtpd installed?):\n" << process_.Log());
    }
  }

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::filesystem::path Message(int n) const { return out_ / (std::to_string(n) + ".eml"); }
  nlohmann::json Envelope(int n) const {
    return nlohmann::json::parse(Slurp(out_ / (std::to_string(n) + ".json")));
  }
  std::size_t Received() const {
    if (!std::filesystem::exists(out_)) return 0;
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out_)) {
      if (entry.path().extension() == ".eml") ++count;
    }
    return count;
  }

 private:
  static std::vector<std::string> Arguments(int port, const std::filesystem::path& out,
                                            std::vector<std::string> options) {
    std::vector<std::string> args = {LOGISTICS_SOURCE_DIR "/tests/support/smtp_sink.py", "--port",
                                     std::to_string(port), "--out", out.string()};
    args.insert(args.end(), options.begin(), options.end());
    return args;
  }

  int port_;
  std::filesystem::path out_;
  ChildProcess process_;
};

SmtpSettings SettingsFor(std::string url) {
  SmtpSettings settings;
  settings.url = std::move(url);
  settings.mail_from = "noreply@logistics.example";
  settings.mail_from_name = "Logistics";
  return settings;
}

Mail RefundMail() {
  const OrderContact order{"order-1",   "TRK-7",  "Zoë Núñez", std::string("zoe@example.com"),
                           "São Paulo", "Kraków", "CANCELLED", 3};
  return ComposeMail(NotificationKind::kPaymentRefunded, order,
                     PaymentContact{"payment-1", "order-1", "100.00", "EUR", 3},
                     std::string("order cancelled"));
}

// A TCP port that accepts connections (the kernel completes the handshake
// into the backlog) but never says a word.
class SilentServer {
 public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a mail sent over SMTP arrives with its envelope, headers and text",
          "[notifications][smtp]") {
  TempDir temp("smtp-sink");
  SmtpSink sink(temp);
  FixedClock clock;
  CurlSmtpSender sender(SettingsFor(sink.url()), clock);
  const Mail mail = RefundMail();

  auto sent = sender.Send(mail, "<event-7@logistics.example>");
  if (!sent) FAIL("send failed: " << sent.error().message);
  REQUIRE(Eventually([&] { return sink.Received() == 1; }));

  const nlohmann::json envelope = sink.Envelope(1);
  CHECK(envelope["mail_from"] == "noreply@logistics.example");
  CHECK(envelope["rcpt_tos"] == nlohmann::json::array({"zoe@example.com"}));

  const auto message = ReadMimeMessage(Slurp(sink.Message(1)));
  CHECK(message.crlf_only);
  CHECK(DecodeHeaderValue(message.headers.at("Subject")) ==
        "Your payment for order TRK-7 was refunded");
  CHECK(DecodeHeaderValue(message.headers.at("To")) == "Zoë Núñez <zoe@example.com>");
  CHECK(message.headers.at("From") == "\"Logistics\" <noreply@logistics.example>");
  CHECK(message.headers.at("Message-ID") == "<event-7@logistics.example>");
  CHECK(message.headers.at("Date") == "Thu, 01 Jan 2026 00:00:00 +0000");
  CHECK(message.headers.at("Content-Type") == "text/plain; charset=UTF-8");
  const auto body = DecodeQuotedPrintableForTest(message.body);
  REQUIRE(body.has_value());
  const std::string text = WithLf(*body);
  CHECK(text == mail.body);
  CHECK(text.find("Hello Zoë Núñez,\n") != std::string::npos);
  CHECK(text.find("Route: São Paulo → Kraków\n") != std::string::npos);
  CHECK(text.find("Amount refunded: 100.00 EUR\n") != std::string::npos);
  CHECK(text.find("Reason: order cancelled\n") != std::string::npos);
}

TEST_CASE("a resent mail carries the same Message-ID", "[notifications][smtp]") {
  TempDir temp("smtp-sink");
  SmtpSink sink(temp);
  FixedClock clock;
  CurlSmtpSender sender(SettingsFor(sink.url()), clock);
  REQUIRE(sender.Send(RefundMail(), "<event-7@logistics.example>"));
  clock.Advance(5s);
  REQUIRE(sender.Send(RefundMail(), "<event-7@logistics.example>"));
  REQUIRE(Eventually([&] { return sink.Received() == 2; }));
  CHECK(ReadMimeMessage(Slurp(sink.Message(1))).headers.at("Message-ID") ==
        ReadMimeMessage(Slurp(sink.Message(2))).headers.at("Message-ID"));
}

TEST_CASE("the SMTP server's reply decides whether a failure is transient",
          "[notifications][smtp]") {
  const auto [code, stage, transient] = GENERATE(table<std::string, std::string, bool>({
      {"451", "rcpt", true},
      {"452", "data", true},
      {"550", "rcpt", false},
      {"553", "rcpt", false},
      {"554", "data", false},
  }));
  CAPTURE(code, stage);
  TempDir temp("smtp-sink");
  SmtpSink sink(temp, {"--fail-with", code, "--fail-at", stage});
  FixedClock clock;
  CurlSmtpSender sender(SettingsFor(sink.url()), clock);

  auto sent = sender.Send(RefundMail(), "<event-7@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CAPTURE(sent.error().message);
  CHECK(sent.error().transient == transient);
  CHECK(sent.error().message.find(code) != std::string::npos);
  CHECK(sink.Received() == 0);
}

TEST_CASE("a server that is down is a transient failure", "[notifications][smtp]") {
  FixedClock clock;
  const int port = FreeTcpPort();  // nobody listens: connection refused
  CurlSmtpSender sender(SettingsFor("smtp://127.0.0.1:" + std::to_string(port)), clock);
  auto sent = sender.Send(RefundMail(), "<event-7@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CAPTURE(sent.error().message);
  CHECK(sent.error().transient);
}

TEST_CASE("a server that never answers times out, transiently", "[notifications][smtp]") {
  SilentServer silent;
  FixedClock clock;
  SmtpSettings settings = SettingsFor("smtp://127.0.0.1:" + std::to_string(silent.port()));
  settings.total_timeout = 500ms;
  CurlSmtpSender sender(settings, clock);
  const auto start = std::chrono::steady_clock::now();
  auto sent = sender.Send(RefundMail(), "<event-7@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CAPTURE(sent.error().message);
  CHECK(sent.error().transient);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("requiring STARTTLS from a server that does not offer it is a permanent failure",
          "[notifications][smtp]") {
  TempDir temp("smtp-sink");
  SmtpSink sink(temp);
  FixedClock clock;
  SmtpSettings settings = SettingsFor(sink.url());
  settings.starttls = true;
  CurlSmtpSender sender(settings, clock);
  auto sent = sender.Send(RefundMail(), "<event-7@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CAPTURE(sent.error().message);
  CHECK_FALSE(sent.error().transient);
  CHECK(sink.Received() == 0);  // nothing went out in clear text
}

TEST_CASE("addresses SMTP cannot carry are refused before connecting", "[notifications][smtp]") {
  FixedClock clock;
  // Nobody listens there: had it tried to connect, the failure would be transient.
  const std::string url = "smtp://127.0.0.1:" + std::to_string(FreeTcpPort());
  SECTION("recipient") {
    CurlSmtpSender sender(SettingsFor(url), clock);
    Mail mail = RefundMail();
    mail.to_address = "zoe@example.com>\r\nRCPT TO:<other@example.com";
    auto sent = sender.Send(mail, "<event-7@logistics.example>");
    REQUIRE_FALSE(sent.has_value());
    CHECK_FALSE(sent.error().transient);
    CHECK(sent.error().message.find('\n') == std::string::npos);
  }
  SECTION("sender") {
    SmtpSettings settings = SettingsFor(url);
    settings.mail_from = "not an address";
    CurlSmtpSender sender(settings, clock);
    auto sent = sender.Send(RefundMail(), "<event-7@logistics.example>");
    REQUIRE_FALSE(sent.has_value());
    CHECK_FALSE(sent.error().transient);
    CHECK(sent.error().message.find("--mail-from") != std::string::npos);
  }
}

TEST_CASE("a URL that is not SMTP is a permanent failure", "[notifications][smtp]") {
  FixedClock clock;
  CurlSmtpSender sender(SettingsFor("http://127.0.0.1:1/"), clock);
  auto sent = sender.Send(RefundMail(), "<event-7@logistics.example>");
  REQUIRE_FALSE(sent.has_value());
  CAPTURE(sent.error().message);
  CHECK_FALSE(sent.error().transient);
}

TEST_CASE("curl codes and SMTP replies map to transient or permanent failures",
          "[notifications][smtp]") {
  const auto [code, reply, transient] = GENERATE(table<int, long, bool>({
      {CURLE_COULDNT_CONNECT, 0, true},
      {CURLE_COULDNT_RESOLVE_HOST, 0, true},
      {CURLE_OPERATION_TIMEDOUT, 0, true},
      {CURLE_RECV_ERROR, 250, true},  // dropped after a 250: nothing refused it
      {CURLE_GOT_NOTHING, 0, true},
      {CURLE_SSL_CONNECT_ERROR, 0, true},
      {CURLE_SEND_ERROR, 421, true},
      {CURLE_WEIRD_SERVER_REPLY, 452, true},
      {CURLE_SEND_ERROR, 550, false},
      {CURLE_WEIRD_SERVER_REPLY, 554, false},
      {CURLE_LOGIN_DENIED, 535, false},
      {CURLE_LOGIN_DENIED, 0, false},
      {CURLE_URL_MALFORMAT, 0, false},
      {CURLE_UNSUPPORTED_PROTOCOL, 0, false},
      {CURLE_USE_SSL_FAILED, 0, false},
      {CURLE_PEER_FAILED_VERIFICATION, 0, false},
  }));
  CAPTURE(code, reply);
  const auto failure = ClassifySmtpFailure(code, reply, "detail text");
  CHECK(failure.transient == transient);
  CHECK(failure.message.find("detail text") != std::string::npos);
  if (reply > 0) CHECK(failure.message.find(std::to_string(reply)) != std::string::npos);
}
