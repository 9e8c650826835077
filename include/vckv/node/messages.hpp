// The message table: every message type the node understands, one row each — how its body
// decodes, who may send it, whether it is handled before init, what the node answers with and
// which Node member handles it. Adding a message type is one row here (src/node/messages.cpp),
// one body decoder (wire/codec.hpp) and one handler. Replies (bodies with in_reply_to) are not
// rows: they complete the request they answer (cluster/pending_requests.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vckv/wire/codec.hpp"

namespace vckv {

class Node;
struct MessageType;

// The node-local read (§14): what one node holds of a key, its own versions and its hints.
inline constexpr std::string_view kLocalGetType = "local_get";
// The replicas' digest (§12): the root of each hash tree anti-entropy compares, one per peer.
inline constexpr std::string_view kTreeRootsType = "tree_roots";
// Reaping (§16): "do you hold these tombstones and no hint they dominate?", and "I reaped them".
inline constexpr std::string_view kReapCheckType = "reap_check";
inline constexpr std::string_view kReapCheckOkType = "reap_check_ok";
inline constexpr std::string_view kReapType = "reap";

// Who may send a message type.
enum Senders : unsigned {
  kFromClients = 1,  // anyone not in the cluster's node_ids
  kFromPeers = 2,    // the other nodes of the cluster
  kFromAnyone = kFromClients | kFromPeers,
};

using Handler = void (Node::*)(const Incoming& in, const MessageType& type);

// Which clock mode (--clocks, §17) a client's message type belongs to.
enum class ClockSide : unsigned char { kEither, kClient, kServer };

struct MessageType {
  std::string_view type;        // body.type
  std::string_view reply_type;  // the type of the node's answer
  unsigned senders;             // Senders
  ClockSide clocks;             // in the other mode: error 10 naming this mode's types
  bool before_init;             // handled before init (otherwise error 11)
  FastShape fast_shape;         // the body the codec's one-pass decoder may take
  BodyDecoder decode;           // body fields -> Request
  Handler handle;
};

struct MessageTable {
  const MessageType* rows;
  std::size_t size;
  const MessageType* begin() const { return rows; }
  const MessageType* end() const { return rows + size; }
};

// The table (defined where it may name Node's handlers).
const MessageTable& message_table();
// The table as the codec sees it.
const MessageCatalog& message_catalog();
// The types a client may send, in table order: "kv_put, kv_get, kv_resolve, init" (for the
// text of error 10, so a user who typed "read" learns what to type instead); with server clocks
// "dvv_update, dvv_get, dvv_delete, init".
const std::string& client_message_types(bool server_clocks = false);
// A client type of the other clock mode: "kv_put: needs --clocks client; ..." (error 10).
std::string wrong_clocks_text(const MessageType& type);

}  // namespace vckv
