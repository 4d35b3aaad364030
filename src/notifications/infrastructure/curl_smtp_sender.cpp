#include "logistics/notifications/infrastructure/curl_smtp_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "logistics/notifications/infrastructure/mime_message.hpp"

namespace logistics::notifications::infrastructure {
namespace {

using application::SendFailure;
using SendResult = common::Result<void, SendFailure>;

common::Unexpected<SendFailure> Transient(std::string message) {
  return common::Unexpected<SendFailure>{SendFailure{true, std::move(message)}};
}
common::Unexpected<SendFailure> Permanent(std::string message) {
  return common::Unexpected<SendFailure>{SendFailure{false, std::move(message)}};
}

// See the header: once per process, before any handle exists.
void InitialiseCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyCleanup {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The message being uploaded, read by libcurl in pieces.
struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

// libcurl calls this from curl_easy_perform on our thread; it must not throw.
extern "C" std::size_t ReadMessage(char* buffer, std::size_t size, std::size_t count,
                                   void* user) noexcept {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t room = size * count;
  const std::size_t left = upload->data.size() - upload->offset;
  const std::size_t n = std::min(room, left);
  if (n > 0) std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

std::string Describe(CURLcode code, long smtp_reply, std::string_view detail) {
  std::string text = "SMTP: ";
  text += detail.empty() ? curl_easy_strerror(code) : std::string(detail);
  if (smtp_reply > 0) text += " (server replied " + std::to_string(smtp_reply) + ")";
  return text;
}

}  // namespace

SendFailure ClassifySmtpFailure(int curl_code, long smtp_reply, std::string_view detail) {
  const auto code = static_cast<CURLcode>(curl_code);
  std::string message = Describe(code, smtp_reply, detail);
  // The server's own verdict wins: RFC 5321 §4.2.1, 4yz is "transient
  // negative completion", 5yz "permanent negative completion".
  if (smtp_reply >= 400 && smtp_reply < 500) return SendFailure{true, std::move(message)};
  if (smtp_reply >= 500 && smtp_reply < 600) return SendFailure{false, std::move(message)};
  // CURLcode is libcurl's open-ended enum: only the codes that mean "the
  // configuration is wrong" are listed; everything else is environmental.
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_REMOTE_ACCESS_DENIED:
      return SendFailure{false, std::move(message)};
    default:  // couldn't connect/resolve, timeouts, send/recv errors, TLS handshake, ...
      return SendFailure{true, std::move(message)};
  }
}

CurlSmtpSender::CurlSmtpSender(SmtpSettings settings, const common::Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
  InitialiseCurlOnce();
}

SendResult CurlSmtpSender::Send(const domain::Mail& mail, std::string_view message_id) {
  if (!IsUsableAddress(mail.to_address)) {
    return Permanent("recipient address '" + SanitizeHeaderValue(mail.to_address) +
                     "' cannot be used over SMTP");
  }
  if (!IsUsableAddress(settings_.mail_from)) {
    return Permanent("sender address '" + SanitizeHeaderValue(settings_.mail_from) +
                     "' (--mail-from) cannot be used over SMTP");
  }
  if (settings_.url.empty()) return Permanent("no SMTP URL configured");

  const std::string message = FormatMimeMessage(
      mail, MailFrom{settings_.mail_from, settings_.mail_from_name}, message_id, clock_.Now());

  std::unique_ptr<CURL, EasyCleanup> curl(curl_easy_init());
  if (!curl) return Transient("SMTP: curl_easy_init failed");
  const std::string envelope_from = "<" + settings_.mail_from + ">";
  const std::string envelope_to = "<" + mail.to_address + ">";
  std::unique_ptr<curl_slist, SlistCleanup> recipients(
      curl_slist_append(nullptr, envelope_to.c_str()));
  if (!recipients) return Transient("SMTP: out of memory");
  Upload upload{message, 0};
  char error_buffer[CURL_ERROR_SIZE] = {};

  // Every option below is valid for this libcurl; a refusal means a libcurl
  // built without a feature (TLS, say), which is a configuration problem.
  CURLcode set = CURLE_OK;
  const auto option = [&set](CURLcode result) {
    if (set == CURLE_OK) set = result;
  };
  CURL* handle = curl.get();
  option(curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer));
  option(curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L));  // threads: no SIGALRM for timeouts
  option(curl_easy_setopt(handle, CURLOPT_URL, settings_.url.c_str()));
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
  option(curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"));
#else
  option(curl_easy_setopt(handle, CURLOPT_PROTOCOLS,
                          static_cast<long>(CURLPROTO_SMTP | CURLPROTO_SMTPS)));
#endif
  option(curl_easy_setopt(handle, CURLOPT_MAIL_FROM, envelope_from.c_str()));
  option(curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get()));
  option(curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L));
  option(curl_easy_setopt(handle, CURLOPT_READFUNCTION, &ReadMessage));
  option(curl_easy_setopt(handle, CURLOPT_READDATA, &upload));
  option(
      curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size())));
  option(curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                          static_cast<long>(settings_.connect_timeout.count())));
  option(curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS,
                          static_cast<long>(settings_.total_timeout.count())));
  if (settings_.starttls) {
    option(curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL)));
  }
  if (settings_.username && settings_.password) {
    option(curl_easy_setopt(handle, CURLOPT_USERNAME, settings_.username->c_str()));
    option(curl_easy_setopt(handle, CURLOPT_PASSWORD, settings_.password->c_str()));
  }
  if (set != CURLE_OK) {
    return Permanent(std::string("SMTP: libcurl refused an option: ") + curl_easy_strerror(set));
  }

  const CURLcode performed = curl_easy_perform(handle);
  if (performed == CURLE_OK) return {};
  long reply = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
  return common::Unexpected<SendFailure>{
      ClassifySmtpFailure(static_cast<int>(performed), reply, error_buffer)};
}

}  // namespace logistics::notifications::infrastructure
