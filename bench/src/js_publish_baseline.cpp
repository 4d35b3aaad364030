#include <stdexcept>
#include <string>

#include "baselines.hpp"

namespace logistics::bench {
namespace {

constexpr const char* kStream = "BENCH_BASELINE";
constexpr const char* kSubject = "bench.baseline.js";

void Check(natsStatus status, const std::string& what) {
  if (status != NATS_OK) {
    throw std::runtime_error(what + ": " + natsStatus_GetText(status) + " " + nats_GetLastError(nullptr));
  }
}

}  // namespace

JsPublishResult RunJsPublish(natsConnection* connection, std::uint64_t count, std::size_t size,
                             std::size_t window, std::chrono::seconds max_duration) {
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = static_cast<int64_t>(window);
  jsCtx* js = nullptr;
  Check(natsConnection_JetStream(&js, connection, &options), "JetStream context");

  // A file stream like the services' (their duplicate window is 2 minutes).
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = kStream;
  const char* subjects[] = {kSubject};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Duplicates = 120'000'000'000;  // ns
  jsStreamInfo* info = nullptr;
  js_DeleteStream(js, kStream, nullptr, nullptr);  // left over from an interrupted run
  Check(js_AddStream(&info, js, &config, nullptr, nullptr), "create stream " + std::string(kStream));
  jsStreamInfo_Destroy(info);

  const std::string payload(size, 'x');
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + max_duration;
  JsPublishResult result;
  for (; result.count < count && std::chrono::steady_clock::now() < deadline; ++result.count) {
    natsMsg* message = nullptr;
    Check(natsMsg_Create(&message, kSubject, nullptr, payload.data(), static_cast<int>(payload.size())),
          "message");
    const std::string id = "bench-" + std::to_string(result.count);
    natsMsgHeader_Set(message, "Nats-Msg-Id", id.c_str());
    Check(js_PublishMsgAsync(js, &message, nullptr), "js_PublishMsgAsync");
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = 30'000;
  Check(js_PublishAsyncComplete(js, &complete), "wait for the PubAcks");
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  js_DeleteStream(js, kStream, nullptr, nullptr);
  jsCtx_Destroy(js);
  return result;
}

}  // namespace logistics::bench
