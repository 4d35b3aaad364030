#include "logistics/logging/thread_name.hpp"

#include <pthread.h>

#include <string>

namespace logistics::logging {

void NameThisThread(std::string_view name) {
  const std::string bounded(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), bounded.c_str());
}

}  // namespace logistics::logging
