// The head of a Maelstrom envelope (src, dest, body.type and the ids), read from a line without
// building a JSON tree: the harness and the simulator route every node-to-node message and only
// need these. Pure logic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vckv::model {

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
// The whole line is validated as JSON.
EnvelopeParse parse_envelope(std::string_view line);

// The node writes its envelopes byte-exactly (docs/protocol.md §2): {"src": "n1", "dest": "n2",
// "body": {"type": "sync", ... . Reads dest and type without a JSON parser or a copy; false when
// the line is not in that form (parse it with parse_envelope then). Nothing else is validated.
bool fast_envelope_head(std::string_view line, std::string_view& dest, std::string_view& type);

}  // namespace vckv::model
