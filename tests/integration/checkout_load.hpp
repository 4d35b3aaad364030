// CheckoutLoad: a bounded load of checkouts (create an order with an e-mail
// address, register a payment for it, confirm the payment), sent by a few
// client threads while a test breaks things.
//
// Each command is sent as a client that cares about its answer would send
// it: with a Nats-Msg-Id of its own, and sent again with the SAME id after a
// timeout, "no responders" or a 503 (the service's idempotency answers a
// repeat with the first answer), until it is answered or its deadline
// passes. Any other answer ends the checkout as failed, with the reason.
//
// Bounded in count and in time: Start() begins at most `max_checkouts`
// checkouts, and none after `max_duration`; Join() returns once the senders
// have finished the checkouts they began (each command gives up at
// `command_deadline`). The destructor stops and joins.
//
// Thread-safety: the senders assert nothing (Catch2 is not thread-safe); the
// test thread reads Completed() while they run and Checkouts() after Join().
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/harness/nats_client.hpp"

namespace logistics::testing {

struct CheckoutLimits {
  int max_checkouts = 300;
  std::chrono::milliseconds max_duration = std::chrono::seconds(15);
  int senders = 4;
  // Checkouts begin at most this often, spread over the run so that events
  // keep flowing while the test breaks things; 0: as fast as answered.
  double checkouts_per_second = 0;
  std::chrono::milliseconds attempt_timeout = std::chrono::seconds(2);
  std::chrono::milliseconds command_deadline = std::chrono::seconds(30);
};

// What one checkout got answered. An id is set once its command was answered.
struct Checkout {
  int index = 0;
  std::string order_id;    // orders.cmd.create answered
  std::string payment_id;  // payments.cmd.register answered
  bool confirmed = false;  // payments.cmd.confirm answered
  std::string failure;     // why it stopped early, if it did
};

// Figures about the commands sent.
struct CommandFigures {
  int commands = 0;                      // answered with success
  int resent = 0;                        // attempts after the first, all commands together
  int gave_up = 0;                       // commands unanswered at their deadline
  std::chrono::milliseconds slowest{0};  // first attempt to answer
};

class CheckoutLoad {
 public:
  CheckoutLoad(NatsClient& client, std::string prefix, CheckoutLimits limits = {})
      : client_(client), prefix_(std::move(prefix)), limits_(limits) {}
  ~CheckoutLoad() {
    stop_ = true;
    Join();
  }
  CheckoutLoad(const CheckoutLoad&) = delete;
  CheckoutLoad& operator=(const CheckoutLoad&) = delete;

  void Start() {
    started_ = std::chrono::steady_clock::now();
    deadline_ = started_ + limits_.max_duration;
    for (int i = 0; i < limits_.senders; ++i) senders_.emplace_back([this] { Send(); });
  }
  // No new checkout after this (those under way finish).
  void StopStarting() { stop_ = true; }
  void Join() {
    for (auto& sender : senders_) {
      if (sender.joinable()) sender.join();
    }
  }
  int Completed() const { return completed_; }

  std::vector<Checkout> Checkouts() const {
    std::lock_guard lock(mutex_);
    auto all = checkouts_;
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });
    return all;
  }
  CommandFigures Figures() const {
    std::lock_guard lock(mutex_);
    return figures_;
  }

 private:
  struct Answer {
    bool ok = false;
    nlohmann::json body;
    std::string failure;
  };

  void Send() {
    for (;;) {
      const int index = next_++;
      if (limits_.checkouts_per_second > 0) {
        const auto due =
            started_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(index / limits_.checkouts_per_second));
        while (!stop_ && std::chrono::steady_clock::now() < std::min(due, deadline_)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
      if (stop_ || index >= limits_.max_checkouts || std::chrono::steady_clock::now() >= deadline_)
        break;
      Checkout checkout = Run(index);
      if (checkout.confirmed) ++completed_;
      std::lock_guard lock(mutex_);
      checkouts_.push_back(std::move(checkout));
    }
  }

  Checkout Run(int index) {
    Checkout checkout;
    checkout.index = index;
    const std::string key = prefix_ + "-" + std::to_string(index);
    const nlohmann::json create{
        {"tracking_number", key},
        {"customer_name", "Ana"},
        {"customer_email", "customer" + std::to_string(index) + "@example.com"},
        {"origin", "Madrid"},
        {"destination", "Lisbon"}};
    auto created = Command("orders.cmd.create", create, key + "-create");
    if (!created.ok) return Failed(checkout, "create: " + created.failure);
    checkout.order_id = created.body.value("order_id", "");
    const nlohmann::json amount = std::to_string(10 + index % 90) + ".50";
    auto registered =
        Command("payments.cmd.register", {{"order_id", checkout.order_id}, {"amount", amount}},
                key + "-register");
    if (!registered.ok) return Failed(checkout, "register: " + registered.failure);
    checkout.payment_id = registered.body.value("payment_id", "");
    auto confirmed =
        Command("payments.cmd.confirm", {{"payment_id", checkout.payment_id}}, key + "-confirm");
    if (!confirmed.ok) return Failed(checkout, "confirm: " + confirmed.failure);
    checkout.confirmed = true;
    return checkout;
  }

  static Checkout Failed(Checkout checkout, std::string why) {
    checkout.failure = std::move(why);
    return checkout;
  }

  // Sends until answered: again, with the same Nats-Msg-Id, after a timeout,
  // no responders, a 503 or a transport error; anything else is the answer.
  Answer Command(const std::string& subject, const nlohmann::json& body,
                 const std::string& msg_id) {
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + limits_.command_deadline;
    std::chrono::milliseconds backoff{50};
    int attempts = 0;
    std::string last;
    while (true) {
      ++attempts;
      const auto reply = client_.TryRequest(subject, body.dump(), {{"Nats-Msg-Id", msg_id}},
                                            limits_.attempt_timeout);
      const bool retry =
          !reply.error.empty() || reply.timed_out || reply.no_responders || reply.Status() == 503;
      if (!retry) {
        Answer answer;
        answer.body = nlohmann::json::parse(reply.body, nullptr, false);
        answer.ok = reply.Status() == 200 && answer.body.is_object();
        if (!answer.ok) answer.failure = std::to_string(reply.Status()) + " " + reply.body;
        Count(answer.ok, attempts, started, false);
        return answer;
      }
      last = !reply.error.empty()  ? reply.error
             : reply.timed_out     ? "timed out"
             : reply.no_responders ? "no responders"
                                   : "503 " + reply.body;
      if (std::chrono::steady_clock::now() + backoff >= deadline) break;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
    }
    Count(false, attempts, started, true);
    return Answer{false, nullptr,
                  "unanswered after " + std::to_string(attempts) + " attempts: " + last};
  }

  void Count(bool ok, int attempts, std::chrono::steady_clock::time_point started, bool gave_up) {
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::lock_guard lock(mutex_);
    if (ok) ++figures_.commands;
    figures_.resent += attempts - 1;
    if (gave_up) ++figures_.gave_up;
    figures_.slowest = std::max(figures_.slowest, took);
  }

  NatsClient& client_;
  const std::string prefix_;
  const CheckoutLimits limits_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<int> next_{0};
  std::atomic<int> completed_{0};
  mutable std::mutex mutex_;
  std::vector<Checkout> checkouts_;
  CommandFigures figures_;
  std::vector<std::thread> senders_;
};

}  // namespace logistics::testing
