#include <csignal>
#include <iostream>
#include <stdexcept>

#include "async_requester.hpp"
#include "baselines.hpp"

namespace logistics::bench {
namespace {

void Echo(natsConnection* connection, natsSubscription*, natsMsg* message, void*) {
  if (const char* reply = natsMsg_GetReply(message); reply != nullptr) {
    natsConnection_Publish(connection, reply, natsMsg_GetData(message),
                           natsMsg_GetDataLength(message));
  }
  natsMsg_Destroy(message);
}

}  // namespace

int RunEchoResponder(const std::string& url, const std::string& subject) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  // Blocked before nats.c starts its threads, so only sigwait below sees them.
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  natsConnection* connection = ConnectSendingAtOnce(url);
  natsSubscription* subscription = nullptr;
  if (natsConnection_Subscribe(&subscription, connection, subject.c_str(), &Echo, nullptr) != NATS_OK) {
    throw std::runtime_error("cannot subscribe to " + subject);
  }
  natsSubscription_SetPendingLimits(subscription, -1, -1);
  natsConnection_Flush(connection);
  std::cout << "ready" << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  natsSubscription_Unsubscribe(subscription);
  natsSubscription_Destroy(subscription);
  natsConnection_Destroy(connection);
  return 0;
}

}  // namespace logistics::bench
