// The notifications service against a real SMTP server (python3-aiosmtpd),
// with the real orders and payments services and a real nats-server.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "integration/orders_system.hpp"
#include "logistics/notifications/infrastructure/mime_message.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/free_port.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

struct ReceivedMail {
  std::string to;
  std::string subject;
  std::string message_id;
  std::string body;  // decoded
  std::vector<std::string> recipients;  // the SMTP envelope
};

// A real SMTP server on a free loopback port, storing what it accepts.
class SmtpSink {
 public:
  SmtpSink(const std::filesystem::path& dir, std::vector<std::string> extra = {})
      : out_(dir / "smtp"), port_(logistics::testing::FreeTcpPort()) {
    std::filesystem::create_directories(out_);
    std::vector<std::string> args{std::string(LOGISTICS_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                                  "--port", std::to_string(port_), "--out", out_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>("/usr/bin/python3", args,
                                              std::map<std::string, std::string>{}, dir);
    Start();
  }
  void Start() {
    process_->Start();
    REQUIRE(process_->WaitForLog("smtp sink ready", std::chrono::seconds(15)));
  }
  void Stop() { process_->Terminate(); }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  std::vector<ReceivedMail> Mails() const {
    std::vector<std::pair<int, std::filesystem::path>> files;
    for (const auto& entry : std::filesystem::directory_iterator(out_)) {
      if (entry.path().extension() == ".eml") {
        files.emplace_back(std::stoi(entry.path().stem().string()), entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    std::vector<ReceivedMail> mails;
    for (const auto& [n, path] : files) mails.push_back(Read(path));
    return mails;
  }

 private:
  static std::string Slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static ReceivedMail Read(const std::filesystem::path& path) {
    const std::string text = Slurp(path);
    std::size_t split = text.find("\r\n\r\n");
    std::size_t skip = 4;
    if (split == std::string::npos) {
      split = text.find("\n\n");
      skip = 2;
    }
    REQUIRE(split != std::string::npos);
    ReceivedMail mail;
    std::istringstream headers(text.substr(0, split));
    std::string line;
    while (std::getline(headers, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto value = [&](const char* name) {
        const std::string prefix = std::string(name) + ": ";
        return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : std::string();
      };
      if (auto v = value("To"); !v.empty()) mail.to = v;
      if (auto v = value("Subject"); !v.empty()) mail.subject = v;
      if (auto v = value("Message-ID"); !v.empty()) mail.message_id = v;
    }
    auto body = logistics::notifications::infrastructure::DecodeQuotedPrintable(text.substr(split + skip));
    REQUIRE(body);
    mail.body = *body;
    auto envelope = path;
    envelope.replace_extension(".json");
    const json parsed = json::parse(Slurp(envelope));  // kept alive for the loop
    for (const auto& rcpt : parsed["rcpt_tos"]) mail.recipients.push_back(rcpt);
    return mail;
  }

  std::filesystem::path out_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

json CreateOrder(OrdersSystem& system, const std::string& tracking, const json& email) {
  json body{{"tracking_number", tracking}, {"customer_name", "Zoë"}, {"origin", "Madrid"},
            {"destination", "Lisbon"}};
  if (!email.is_null()) body["customer_email"] = email;
  auto reply = system.Command("create", body);
  REQUIRE(reply.Status() == 200);
  return reply.Json();
}

}  // namespace

TEST_CASE("customers get one e-mail per notifying event, with exact subjects and lines",
          "[notifications][integration]") {
  OrdersSystem system;
  SmtpSink smtp(system.dir());
  system.StartOrders();
  system.StartPayments();
  system.StartNotifications({"--smtp-url", smtp.url(), "--mail-from", "shop@logistics.example"});

  const std::string paid_order = CreateOrder(system, "MAIL-1", "zoe@example.com")["order_id"];
  auto payment = system.Payments("register", {{"order_id", paid_order}, {"amount", "42.50"}});
  // The paid mail takes its amount from the payment notifications has seen on
  // PAYMENTS, while order.paid comes on ORDERS: let the registration arrive
  // first, so the amount line is there to check (without it the mail goes out
  // without the line).
  const std::string payment_id = payment.Json()["payment_id"];
  REQUIRE(Eventually([&] {
    return system.QueryDatabase("notifications.db",
                                "SELECT amount FROM payment_contacts WHERE payment_id = '" +
                                    payment_id + "'") == "42.50";
  }));
  REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}).Status() == 200);
  REQUIRE(Eventually([&] {
    return system.Query("get", {{"order_id", paid_order}}).Json()["status"] == "PAID";
  }));
  REQUIRE(system.Command("assign", {{"order_id", paid_order}, {"driver_id", "d"}}).Status() == 200);
  REQUIRE(system.Command("dispatch", {{"order_id", paid_order}}).Status() == 200);
  REQUIRE(system.Command("deliver", {{"order_id", paid_order}}).Status() == 200);
  REQUIRE(Eventually([&] { return smtp.Mails().size() == 4; }, std::chrono::seconds(20)));

  const std::string cancelled = CreateOrder(system, "MAIL-2", "zoe@example.com")["order_id"];
  auto second = system.Payments("register", {{"order_id", cancelled}, {"amount", "10"}});
  REQUIRE(system.Payments("confirm", {{"payment_id", second.Json()["payment_id"]}}).Status() == 200);
  REQUIRE(Eventually([&] {
    return system.Query("get", {{"order_id", cancelled}}).Json()["status"] == "PAID";
  }));
  REQUIRE(system.Command("cancel", {{"order_id", cancelled}, {"reason", "changed my mind"}}).Status() == 200);
  REQUIRE(Eventually([&] { return smtp.Mails().size() == 8; }, std::chrono::seconds(20)));

  const auto mails = smtp.Mails();
  std::vector<std::string> subjects;
  for (const auto& mail : mails) {
    subjects.push_back(mail.subject);
    CHECK(mail.recipients == std::vector<std::string>{"zoe@example.com"});
    CHECK_THAT(mail.to, Catch::Contains("zoe@example.com"));
    CHECK_THAT(mail.message_id, Catch::Matches("<[0-9a-f-]+@logistics\\.example>"));
    CHECK_THAT(mail.body, Catch::Contains("Hello Zoë,"));
    CHECK_THAT(mail.body, Catch::Contains("Route: Madrid → Lisbon"));
  }
  // Refunded and cancelled come from two streams, so their relative order may vary.
  std::vector<std::string> first_order(subjects.begin(), subjects.begin() + 4);
  CHECK(first_order == std::vector<std::string>{"Your order MAIL-1 was created", "Your order MAIL-1 is paid",
                                                "Your order MAIL-1 is on its way",
                                                "Your order MAIL-1 was delivered"});
  std::vector<std::string> second_order(subjects.begin() + 4, subjects.end());
  std::sort(second_order.begin(), second_order.end());
  CHECK(second_order == std::vector<std::string>{"Your order MAIL-2 is paid", "Your order MAIL-2 was cancelled",
                                                 "Your order MAIL-2 was created",
                                                 "Your payment for order MAIL-2 was refunded"});
  CHECK_THAT(mails[1].body, Catch::Contains("Amount paid: 42.50 USD"));
  CHECK_THAT(mails[1].body, Catch::Contains("Tracking number: MAIL-1"));
  for (const auto& mail : mails) {
    if (mail.subject == "Your order MAIL-2 was cancelled") {
      CHECK_THAT(mail.body, Catch::Contains("Reason: changed my mind"));
    }
    if (mail.subject == "Your payment for order MAIL-2 was refunded") {
      CHECK_THAT(mail.body, Catch::Contains("Amount refunded: 10.00 USD"));
    }
  }
}

TEST_CASE("an order without an e-mail address gets no e-mail, and that is logged",
          "[notifications][integration]") {
  OrdersSystem system;
  SmtpSink smtp(system.dir());
  system.StartOrders();
  system.StartNotifications({"--smtp-url", smtp.url()});
  CreateOrder(system, "NOMAIL-1", nullptr);
  CreateOrder(system, "MAIL-3", "ana@example.com");
  REQUIRE(Eventually([&] { return smtp.Mails().size() == 1; }, std::chrono::seconds(20)));
  CHECK(smtp.Mails()[0].subject == "Your order MAIL-3 was created");
  CHECK(system.notifications().WaitForLog("the order has no customer_email", std::chrono::seconds(5)));
}

TEST_CASE("a redelivered event sends nothing", "[notifications][integration][redelivery]") {
  OrdersSystem system;
  SmtpSink smtp(system.dir());
  system.StartOrders();
  system.StartNotifications({"--smtp-url", smtp.url()});
  CreateOrder(system, "TWICE-MAIL", "ana@example.com");
  REQUIRE(Eventually([&] { return smtp.Mails().size() == 1; }, std::chrono::seconds(20)));
  auto created = system.Events().at(0);
  created.headers["Nats-Msg-Id"] = "replayed-" + created.headers["Nats-Msg-Id"];
  system.client().PublishToStream(created.subject, created.data, created.headers);
  REQUIRE(Eventually([&] {
    return system.Status("notifications")["consumers"]["notifications-orders"]["duplicates"] == 1;
  }, std::chrono::seconds(15)));
  REQUIRE(system.notifications().WaitForLog("event already processed", std::chrono::seconds(15)));
  CreateOrder(system, "AFTER-REPLAY", "ana@example.com");
  REQUIRE(Eventually([&] { return smtp.Mails().size() == 2; }, std::chrono::seconds(20)));
  CHECK(smtp.Mails().size() == 2);
  CHECK(smtp.Mails()[1].subject == "Your order AFTER-REPLAY was created");
}

TEST_CASE("mail waits while the SMTP server is down and goes out when it is back",
          "[notifications][integration][outage]") {
  OrdersSystem system;
  SmtpSink smtp(system.dir());
  system.StartOrders();
  system.StartNotifications({"--smtp-url", smtp.url()});
  smtp.Stop();
  CreateOrder(system, "DOWN-1", "ana@example.com");
  REQUIRE(system.notifications().WaitForLog("it will be redelivered", std::chrono::seconds(15)));
  smtp.Start();
  REQUIRE(Eventually([&] { return smtp.Mails().size() == 1; }, std::chrono::seconds(30)));
  CHECK(smtp.Mails()[0].subject == "Your order DOWN-1 was created");
}

TEST_CASE("a permanent SMTP failure becomes a dead letter and the next mails go out",
          "[notifications][integration][dead-letter]") {
  OrdersSystem system;
  SmtpSink refusing(system.dir(), {"--fail-with", "550"});
  system.StartOrders();
  system.StartNotifications({"--smtp-url", refusing.url()});
  CreateOrder(system, "REFUSED-1", "nobody@example.com");
  REQUIRE(system.notifications().WaitForLog("event dead-lettered", std::chrono::seconds(20)));
  CHECK(refusing.Mails().empty());
}

TEST_CASE("without an SMTP server, each e-mail is written as an .eml file beside the database",
          "[notifications][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartNotifications();
  CreateOrder(system, "EML-1", "ana@example.com");
  const auto dir = system.dir() / "mail";
  auto count = [&] {
    if (!std::filesystem::exists(dir)) return std::size_t{0};
    return static_cast<std::size_t>(std::count_if(std::filesystem::directory_iterator(dir), {},
                                                  [](const auto& e) { return e.path().extension() == ".eml"; }));
  };
  REQUIRE(Eventually([&] { return count() == 1; }, std::chrono::seconds(20)));
  CHECK_THAT(system.notifications().Log(), Catch::Contains(".eml files"));
}
