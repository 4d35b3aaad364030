#include "logistics/messaging/stream_tail.hpp"

namespace logistics::messaging {

TailVerdict JudgeStreamTail(const AcknowledgedPosition& acknowledged, const StreamView& now) {
  const std::string position = "sequence " + std::to_string(acknowledged.sequence) + " (event " +
                               acknowledged.event_id + ")";
  if (!now.exists) {
    return {true, "stream " + acknowledged.stream + " no longer exists; it had acknowledged " +
                      position};
  }
  if (now.last_sequence < acknowledged.sequence) {
    return {true, "stream " + acknowledged.stream + " went back to sequence " +
                      std::to_string(now.last_sequence) + " after acknowledging " + position};
  }
  if (!now.message_id_at_position) {
    // The stream went on past the position and the message was removed
    // since: retention limits or a purge, which re-publishing must not undo.
    return {false, "the message at " + position + " was removed by the stream's limits or a purge"};
  }
  if (*now.message_id_at_position != acknowledged.event_id) {
    return {true, "stream " + acknowledged.stream + " holds event " + *now.message_id_at_position +
                      " where it had acknowledged " + position + " (recreated?)"};
  }
  return {false, "stream " + acknowledged.stream + " holds " + position};
}

}  // namespace logistics::messaging
