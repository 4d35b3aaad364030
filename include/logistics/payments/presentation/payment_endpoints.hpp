// PaymentEndpoints: the payments subjects of SPEC §2, as transport endpoints.
//
//   payments.cmd.register | confirm | fail | refund   (commands)
//   payments.query.get | list                         (queries)
//
// Commands are decoded on the NATS thread (400 at once) and run on the writer
// (answered after the commit). register first looks the order up in the
// projection; if payments has not seen it yet, it asks orders.query.get on the
// NATS thread (404 when orders does not know it, 503 when orders does not
// answer in time) and the answer travels with the command, so the writer
// never waits on the network. Queries run on a pooled read-only connection.
//
// Ownership: borrows the command runner, read pool, ids, clock and order directory.
// Thread-safety: handlers run concurrently on nats.c threads.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/messaging/command_runner.hpp"
#include "logistics/payments/application/payment_commands.hpp"
#include "logistics/payments/infrastructure/nats_order_directory.hpp"
#include "logistics/sqlite/read_pool.hpp"

namespace logistics::payments::presentation {

class PaymentEndpoints {
 public:
  PaymentEndpoints(messaging::CommandRunner& commands, sqlite::ReadPool& reads, common::IdGenerator& ids,
                   const common::Clock& clock, const infrastructure::NatsOrderDirectory& orders,
                   std::size_t max_body_bytes);

  std::vector<messaging::Endpoint> Endpoints();

 private:
  using RequestPtr = std::shared_ptr<messaging::IncomingRequest>;
  using Command = std::function<application::PaymentResult<domain::PaymentSnapshot>(
      application::PaymentCommandPorts ports)>;
  void Submit(const RequestPtr& request, Command command);

  void Register(const RequestPtr& request);
  void Confirm(const RequestPtr& request);
  void Fail(const RequestPtr& request);
  void Refund(const RequestPtr& request);
  void Get(const RequestPtr& request);
  void List(const RequestPtr& request);

  messaging::CommandRunner& commands_;
  sqlite::ReadPool& reads_;
  common::IdGenerator& ids_;
  const common::Clock& clock_;
  const infrastructure::NatsOrderDirectory& orders_;
  const std::size_t max_body_bytes_;
};

}  // namespace logistics::payments::presentation
