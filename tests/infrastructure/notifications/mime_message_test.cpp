// MimeMessage: a Mail as the RFC 5322 / MIME text that goes over SMTP.
#include "logistics/notifications/infrastructure/mime_message.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "infrastructure/notifications/mime_reader.hpp"
#include "logistics/common/time.hpp"

namespace {

using logistics::common::FromUnixMillis;
using logistics::notifications::domain::Mail;
using logistics::notifications::infrastructure::DecodeQuotedPrintable;
using logistics::notifications::infrastructure::EncodeHeaderText;
using logistics::notifications::infrastructure::EncodeQuotedPrintable;
using logistics::notifications::infrastructure::FormatMailbox;
using logistics::notifications::infrastructure::FormatMimeMessage;
using logistics::notifications::infrastructure::FormatRfc5322Date;
using logistics::notifications::infrastructure::IsUsableAddress;
using logistics::notifications::infrastructure::MailFrom;
using logistics::testing::DecodeHeaderValue;
using logistics::testing::DecodeQuotedPrintableForTest;
using logistics::testing::ReadMimeMessage;
using logistics::testing::WithLf;

// 2026-11-25T09:30:00.123Z, a Wednesday.
const auto kDate = FromUnixMillis(1'795'599'000'123);

Mail AnaMail() {
  return Mail{"ana@example.com", "Ana", "Your order TRK-1 was created",
              "Hello Ana,\n\nTracking number: TRK-1\nRoute: Madrid \u2192 Lisbon\n"};
}

const MailFrom kFrom{"noreply@logistics.example", "Logistics"};

}  // namespace

TEST_CASE("a formatted message has every header a mail reader expects, and CRLF line ends",
          "[notifications][mime]") {
  const std::string raw = FormatMimeMessage(AnaMail(), kFrom, "<e1@logistics.example>", kDate);
  const auto message = ReadMimeMessage(raw);
  CHECK(message.crlf_only);
  CHECK(message.header_order ==
        std::vector<std::string>{"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
                                 "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"});
  CHECK(message.headers.at("Date") == "Wed, 25 Nov 2026 09:30:00 +0000");
  CHECK(message.headers.at("From") == "\"Logistics\" <noreply@logistics.example>");
  CHECK(message.headers.at("To") == "\"Ana\" <ana@example.com>");
  CHECK(message.headers.at("Subject") == "Your order TRK-1 was created");
  CHECK(message.headers.at("Message-ID") == "<e1@logistics.example>");
  CHECK(message.headers.at("MIME-Version") == "1.0");
  CHECK(message.headers.at("Content-Type") == "text/plain; charset=UTF-8");
  CHECK(message.headers.at("Content-Transfer-Encoding") == "quoted-printable");
  CHECK(message.headers.at("Auto-Submitted") == "auto-generated");
  for (const std::string& line : message.header_lines) CHECK(line.size() <= 78);
}

TEST_CASE("a subject that is not ASCII becomes UTF-8 encoded words that decode back",
          "[notifications][mime]") {
  Mail mail = AnaMail();
  mail.subject = GENERATE(std::string("Your order TRK-Ω was created"),
                          std::string("Pedido de Zoë Łukasiewicz-Núñez: São Paulo → Kraków, "
                                      "entregado 🚚 con éxito y a tiempo, ¡gracias por todo!"));
  CAPTURE(mail.subject);
  const auto message = ReadMimeMessage(FormatMimeMessage(mail, kFrom, "<e1@x.example>", kDate));
  const std::string& subject = message.headers.at("Subject");
  CHECK(subject.rfind("=?UTF-8?B?", 0) == 0);
  for (const char c : subject) CHECK(static_cast<unsigned char>(c) < 0x80);
  CHECK(DecodeHeaderValue(subject) == mail.subject);
  for (const std::string& line : message.header_lines) CHECK(line.size() <= 78);
}

TEST_CASE("display names are quoted when ASCII and encoded when not", "[notifications][mime]") {
  CHECK(FormatMailbox("To", "Ana \"the\" \\ Best", "a@b.example") ==
        "\"Ana \\\"the\\\" \\\\ Best\" <a@b.example>");
  CHECK(FormatMailbox("To", "", "a@b.example") == "<a@b.example>");
  const std::string encoded = FormatMailbox("To", "Zoë Núñez", "zoe@b.example");
  CHECK(encoded.rfind("=?UTF-8?B?", 0) == 0);
  CHECK(DecodeHeaderValue(encoded) == "Zoë Núñez <zoe@b.example>");
  // A name that looks like an encoded word is encoded, so it reads as typed.
  CHECK(DecodeHeaderValue(FormatMailbox("To", "=?UTF-8?B?QQ==?=", "a@b.example")) ==
        "=?UTF-8?B?QQ==?= <a@b.example>");
}

TEST_CASE("a long ASCII subject is folded into lines of at most 78 characters",
          "[notifications][mime]") {
  const std::string subject(200, 'x');
  const auto message =
      ReadMimeMessage("Subject: " + EncodeHeaderText("Subject", subject) + "\r\n\r\n");
  CHECK(DecodeHeaderValue(message.headers.at("Subject")) == subject);
  for (const std::string& line : message.header_lines) CHECK(line.size() <= 78);
  CHECK(message.header_lines.size() > 1);
}

TEST_CASE("no header value can start a new header line", "[notifications][mime]") {
  Mail mail = AnaMail();
  mail.subject = "Hi\r\nBcc: victim@example.com";
  mail.to_name = "Ana\nX-Injected: yes";
  mail.to_address = "ana@example.com\r\nBcc: other@example.com";
  const std::string raw = FormatMimeMessage(mail, MailFrom{"noreply@x.example", "Lo\rgistics"},
                                            "<e1@x\r\nY: 1>", kDate);
  const auto message = ReadMimeMessage(raw);
  CHECK(message.crlf_only);
  for (const std::string& line : message.header_lines) {
    CAPTURE(line);
    CHECK(line.rfind("Bcc", 0) != 0);
    CHECK(line.rfind("X-Injected", 0) != 0);
    CHECK(line.rfind("Y:", 0) != 0);
  }
  CHECK(message.headers.count("Bcc") == 0);
  CHECK(message.header_order.size() == 9);
}

TEST_CASE("the body is quoted-printable and decodes back to the mail's text",
          "[notifications][mime]") {
  Mail mail = AnaMail();
  mail.body = GENERATE(
      std::string("Hello Ana,\n\nRoute: Madrid \u2192 Lisbon\n"),
      std::string("Olá Zoë Łukasiewicz 🚚\nprice = 100.00 EUR\n"),
      std::string(".\n.hidden line\ntrailing space \ntrailing tab\t\n"),
      std::string(300, 'a') + "\n" + std::string(100, '=') + "\n" + std::string(90, ' ') + "x\n",
      std::string("no final line break"));
  CAPTURE(mail.body);
  const auto message = ReadMimeMessage(FormatMimeMessage(mail, kFrom, "<e1@x.example>", kDate));
  CHECK(message.crlf_only);
  for (const char c : message.body) CHECK(static_cast<unsigned char>(c) < 0x80);
  std::size_t start = 0;
  while (start < message.body.size()) {
    const std::size_t end = message.body.find("\r\n", start);
    const std::string line = message.body.substr(start, end - start);
    CAPTURE(line);
    CHECK(line.size() <= 76);
    CHECK(line.rfind(".", 0) != 0);  // never a '.' to dot-stuff
    if (!line.empty()) CHECK(line.back() != ' ');
    if (!line.empty()) CHECK(line.back() != '\t');
    start = end == std::string::npos ? message.body.size() : end + 2;
  }
  const auto decoded = DecodeQuotedPrintableForTest(message.body);
  REQUIRE(decoded.has_value());
  std::string expected = mail.body;
  if (expected.back() != '\n') expected += '\n';  // the message always ends with a line break
  CHECK(WithLf(*decoded) == expected);
}

TEST_CASE("quoted-printable encodes line breaks as CRLF and decodes its own output",
          "[notifications][mime]") {
  CHECK(EncodeQuotedPrintable("a\r\nb\rc\nd") == "a\r\nb\r\nc\r\nd");
  CHECK(EncodeQuotedPrintable("caf\xC3\xA9 = ok ") == "caf=C3=A9 =3D ok=20");
  const std::string text = "Zoë → Kraków\r\n" + std::string(200, 'z') + "\r\n";
  CHECK(DecodeQuotedPrintable(EncodeQuotedPrintable(text)) == text);
  CHECK(DecodeQuotedPrintable("a=3d=3Db=\r\nc") == "a==bc");
  CHECK_FALSE(DecodeQuotedPrintable("bad=G1").has_value());
  CHECK_FALSE(DecodeQuotedPrintable("end=").has_value());
}

TEST_CASE("dates are written as RFC 5322 wants them, in UTC", "[notifications][mime]") {
  CHECK(FormatRfc5322Date(FromUnixMillis(0)) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(FormatRfc5322Date(FromUnixMillis(1'767'225'600'000)) == "Thu, 01 Jan 2026 00:00:00 +0000");
  CHECK(FormatRfc5322Date(kDate) == "Wed, 25 Nov 2026 09:30:00 +0000");
}

TEST_CASE("only addresses SMTP can carry as they are are usable", "[notifications][mime]") {
  CHECK(IsUsableAddress("ana@example.com"));
  CHECK(IsUsableAddress("a.b+tag@sub.example.co"));
  const std::string bad = GENERATE("", "a@", "@b", "ab", "a@b@c", "a b@c.d", "a@b.c\r\nBcc: x",
                                   "<a@b.c>", "zoë@example.com", "a,b@c.d", "a@b.c\t");
  CAPTURE(bad);
  CHECK_FALSE(IsUsableAddress(bad));
}
