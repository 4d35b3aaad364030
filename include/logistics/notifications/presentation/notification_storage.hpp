// NotificationStorage: how the notifications handlers reach storage: a
// NotificationStore on a read-only connection to plan an event's mail, and
// one opened on the event's transaction to record it
// (aggregate_service/presentation/store_openers.hpp; notifications saves no
// events, so the metadata is unused). src/apps/notifications/main.cpp fills
// it with the SQLite adapter; nothing in presentation names it.
//
// Thread-safety: see StoreOpeners.
#pragma once

#include <functional>
#include <memory>

#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/notifications/application/ports/notification_store.hpp"

namespace logistics::notifications::presentation {

using NotificationStorage =
    aggregate_service::presentation::StoreOpeners<application::NotificationStore,
                                                  application::NotificationStore>;

// The contact projection on a given connection (the rebuild's scratch database).
using OpenContactProjection =
    std::function<std::unique_ptr<application::ContactProjection>(sqlite::Database&)>;

}  // namespace logistics::notifications::presentation
