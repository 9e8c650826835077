// The node's outgoing messages: the one place they are numbered. Every message the node
// writes — replies, errors, node-to-node traffic — gets msg_id 0, 1, 2, ... in the order it
// is written (docs/protocol.md §3). The bytes are appended to the string the runtime writes
// out (owned by the runtime; the Outbox only holds a reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vckv/wire/message_builder.hpp"

namespace vckv {

class Outbox {
 public:
  explicit Outbox(std::string& out) : out_(out) {}
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // This node's id, the src of what it sends (set at init).
  void set_self(std::string id) { self_ = std::move(id); }
  const std::string& self() const { return self_; }

  // A message from this node: add its fields, then send() it.
  MessageBuilder message(std::string_view dest, std::string_view type,
                         const std::optional<std::string>& in_reply_to = std::nullopt) {
    return MessageBuilder(out_, self_, dest, type, in_reply_to);
  }
  // The same from another src (before init the node answers as what the request called it).
  MessageBuilder message_from(std::string_view src, std::string_view dest, std::string_view type,
                              const std::optional<std::string>& in_reply_to) {
    return MessageBuilder(out_, src, dest, type, in_reply_to);
  }
  // Ends m with the next msg_id and returns it.
  std::uint64_t send(MessageBuilder& m) {
    const std::uint64_t id = next_msg_id_++;
    m.finish(id);
    return id;
  }
  // The msg_id the next message will get.
  std::uint64_t next_msg_id() const { return next_msg_id_; }
  // Bytes in the output string: what waits to be written, and at most a little that was
  // written and not yet cleared by the runtime (the event loop clears it once all is out).
  std::size_t backlog() const { return out_.size(); }

 private:
  std::string& out_;
  std::string self_;
  std::uint64_t next_msg_id_ = 0;
};

}  // namespace vckv
