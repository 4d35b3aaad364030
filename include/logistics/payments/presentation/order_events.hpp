// How the payments service reacts to order events (durable consumer
// "payments-orders" on the stream ORDERS).
//
// Every order event updates payments' projection of the order (its status
// and version; an older aggregateversion never overwrites a newer one). A
// `logistics.order.cancelled.v1` event also compensates: the order's PENDING
// payments become FAILED ("order cancelled") and its CONFIRMED payments
// REFUNDED, each with its event, whose causationid is the order event's id.
// Compensation is idempotent: payments already FAILED or REFUNDED are left
// alone. Runs on the writer thread inside the event's transaction, on the
// PaymentStore opened there.
//
// Thread-safety: the handler is called on the writer thread only.
#pragma once

#include <functional>
#include <memory>

#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/projection_rebuild.hpp"
#include "logistics/payments/application/ports/order_projection.hpp"
#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/payments/application/ports/payment_store.hpp"

namespace logistics::payments::presentation {

// `clock` must outlive the handler.
messaging::EventHandler OrderEventsHandler(
    aggregate_service::presentation::OpenInTransaction<application::PaymentStore> open_store,
    const common::Clock& clock);

// The order projection on a given connection (the rebuild's scratch database).
using OpenOrderProjection =
    std::function<std::unique_ptr<application::OrderProjection>(sqlite::Database&)>;

// How --rebuild-projections re-derives order_view from the ORDERS stream
// (messaging/projection_rebuild.hpp): the same parsing and the same
// version-guarded projection as the live consumer, without compensation. The
// caller adds the schema of the scratch database (spec.schema).
messaging::ProjectionRebuildSpec OrderViewRebuild(OpenOrderProjection open_projection);

}  // namespace logistics::payments::presentation
