#include "logistics/payments/application/payment_queries.hpp"

namespace logistics::payments::application {

PaymentResult<domain::PaymentSnapshot> GetPayment::Execute(const std::string& payment_id) {
  auto found = payments_.FindById(payment_id);
  if (!found) return common::Unexpected<PaymentFailure>{found.error()};
  if (!*found) {
    return Rejected(domain::Reject(domain::PaymentError::kPaymentNotFound,
                                   "payment " + payment_id + " not found"));
  }
  return (*found)->snapshot();
}

PaymentResult<PaymentPage> ListPayments::Execute(const PaymentListQuery& query) {
  return payments_.List(query);
}

}  // namespace logistics::payments::application
