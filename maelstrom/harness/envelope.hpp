// The head of a Maelstrom envelope (src, dest, body.type and the ids), read from a line without
// building a JSON tree: the harness routes every node-to-node message and only needs these.
// The whole line is still validated as JSON. Pure logic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vckv::harness {

struct EnvelopeHead {
  std::string src;
  std::string dest;
  std::string type;                          // body.type
  std::optional<std::uint64_t> msg_id;       // body.msg_id, when a non-negative integer
  std::optional<std::uint64_t> in_reply_to;  // body.in_reply_to, likewise
};

struct EnvelopeParse {
  std::optional<EnvelopeHead> head;
  std::string error;  // when head is empty: "not JSON: ..." or "malformed envelope: ..."
};

// {"src": STRING, "dest": STRING, "body": {"type": STRING, ...}, ...}; other fields ignored.
EnvelopeParse parse_envelope(std::string_view line);

}  // namespace vckv::harness
