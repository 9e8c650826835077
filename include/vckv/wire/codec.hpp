// The codec: one input line -> an Incoming (the envelope's fields, the request its body
// carries, or the first problem found). It knows no message type by name: the message table
// (node/messages.hpp) tells it, through a MessageCatalog, which types exist, how each body
// decodes and which bodies the one-pass decoder may take. Output is the message builder's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vckv/errors.hpp"
#include "vckv/json/value.hpp"
#include "vckv/store/version.hpp"

namespace vckv {

struct CodecLimits {
  std::size_t max_clock_entries = 1024;
  // Known once the node is initialised (§17): the cluster's node ids, and whether it runs with
  // server clocks. Contexts then name only these ids, and versions between nodes carry a dot
  // (and a clock no longer than the cluster) exactly when clocks are the server's.
  const std::vector<std::string>* cluster = nullptr;
  bool server_clocks = false;
};

// Values may nest at most this many arrays/objects deep ([] is 1).
inline constexpr std::size_t kMaxValueDepth = 200;

// The requests bodies carry.
struct InitRequest {
  std::string node_id;
  std::vector<std::string> node_ids;
};
// A context (§17): node ids to counters, as the client sent it (a key given twice: its last
// value, in the place it first came, as Python's json keeps it).
using DvvContext = std::vector<std::pair<std::string, std::uint64_t>>;
// {"n1": 2, ...}: the context as JSON, its entries in the order given.
std::string context_json(const DvvContext& context);

struct WriteRequest {  // kv_put, kv_resolve and kv_delete (a tombstone: no value); dvv_update
                       // and dvv_delete (§17: a context instead of a clock, no dot yet)
  std::string key;     // JSON text of the key: "\"x\"" or "1"
  Version version;
  DvvContext context;  // dvv_* only
};
struct GetRequest {
  std::string key;
};
struct KeyedVersion {
  std::string key;
  Version version;
};
struct SyncRequest {  // node-to-node: versions to merge (docs/protocol.md §11)
  std::vector<KeyedVersion> versions;
  // A hint (§14): versions to hold for this replica, not to merge (empty for a sync).
  std::string hint_for;
};
// Anti-entropy (docs/protocol.md §12): "at this level of my hash tree, these nodes have these
// hashes over this many keys" ...
struct TreeRequest {
  std::uint64_t level = 0;
  std::vector<std::uint64_t> nodes;
  std::vector<std::uint64_t> hashes;  // parallel to nodes
  std::vector<std::uint64_t> counts;  // parallel to nodes
};
// ... and "below these nodes I hold these keys, with these key hashes".
struct TreeKeysRequest {
  std::uint64_t level = 0;
  std::vector<std::uint64_t> nodes;
  std::vector<std::string> keys;      // JSON texts
  std::vector<std::uint64_t> hashes;  // parallel to keys
  bool answer = false;                // the receiver answers with its own keys below the nodes
};
// Reaping (§16, node-to-node): reap_check asks "do you hold these tombstones of key (or
// versions dominating them), and no hint they dominate?"; reap says "I reaped them".
struct ReapRequest {
  std::string key;
  std::vector<VectorClock> clocks;
};
using Request = std::variant<std::monostate, InitRequest, WriteRequest, GetRequest, SyncRequest,
                             TreeRequest, TreeKeysRequest, ReapRequest>;

// Reads a body's fields into request; returns the first problem (error 12 naming the field).
// type is the message type, for the error texts.
using BodyDecoder = std::optional<Error> (*)(std::string_view type, const JValue& body,
                                             const CodecLimits& limits, Request& request);
std::optional<Error> decode_init(std::string_view type, const JValue& body, const CodecLimits&,
                                 Request& request);
std::optional<Error> decode_write(std::string_view type, const JValue& body,
                                  const CodecLimits& limits, Request& request);
// kv_delete (§16): {key, clock} into a WriteRequest whose version is a tombstone (no value).
std::optional<Error> decode_delete(std::string_view type, const JValue& body,
                                   const CodecLimits& limits, Request& request);
std::optional<Error> decode_get(std::string_view type, const JValue& body, const CodecLimits&,
                                Request& request);
// dvv_update (§17): {key, value, context}; dvv_delete: {key, context} (a tombstone). Checked in
// that order; a context is an object of counters (which node ids it may name is the node's
// business: it knows the cluster).
std::optional<Error> decode_dvv_update(std::string_view type, const JValue& body,
                                       const CodecLimits& limits, Request& request);
std::optional<Error> decode_dvv_delete(std::string_view type, const JValue& body,
                                       const CodecLimits& limits, Request& request);
// A sync and a fetch also carry the sender's incarnation (Incoming::incarnation), required.
std::optional<Error> decode_sync(std::string_view type, const JValue& body,
                                 const CodecLimits& limits, Request& request);
// A hint (§14): a sync's fields and "for", the replica it is held for (a string).
std::optional<Error> decode_hint(std::string_view type, const JValue& body,
                                 const CodecLimits& limits, Request& request);
std::optional<Error> decode_fetch(std::string_view type, const JValue& body, const CodecLimits&,
                                  Request& request);
// reap_check and reap (§16): {incarnation, key, clocks: [C, ...]} (at least one clock).
std::optional<Error> decode_reap(std::string_view type, const JValue& body,
                                 const CodecLimits& limits, Request& request);
// A body with no fields of its own (tree_roots): anything besides type and msg_id is ignored.
std::optional<Error> decode_nothing(std::string_view type, const JValue& body, const CodecLimits&,
                                    Request& request);
std::optional<Error> decode_tree(std::string_view type, const JValue& body, const CodecLimits&,
                                 Request& request);
std::optional<Error> decode_tree_keys(std::string_view type, const JValue& body,
                                      const CodecLimits& limits, Request& request);
// A reply's "values": [{"value": V, "clock": C}, ...] (kv_get_ok, fetch_ok) into versions; a
// tombstone between nodes is {"clock": C, "deleted": true} (so in syncs and hints too). Between
// nodes with server clocks (§17) a version also carries "dot": [node index, counter >= 1]
// (Version::dot; whether one must be there is the node's to check).
std::optional<Error> decode_values(std::string_view type, const JValue& body,
                                   const CodecLimits& limits, std::vector<Version>& versions);

// The bodies the one-pass decoder reads: {key} into a GetRequest, {key, value, clock} into a
// WriteRequest, {incarnation, versions: [{key, value, clock}, ...]} into a SyncRequest (besides
// type and msg_id; unknown members of the body are skipped).
enum class FastShape : std::uint8_t { kNone, kKey, kKeyValueClock, kVersions };

// What the codec knows of message types, from the message table.
struct MessageCatalog {
  // The type's index, or -1 for a type the node does not know.
  int (*find)(std::string_view type);
  // The body the one-pass decoder may take for the type at index (kNone: never).
  FastShape (*fast_shape)(int index);
  // The body decoder of the type at index.
  BodyDecoder (*decoder)(int index);
};

// One decoded envelope. The checks that need the node's state (is it initialised, is dest this
// node, may src send this type) are the node's; every other problem is reported here, and the
// node applies them in docs/protocol.md order: dest_error, (drop if dest is another node),
// envelope_error, is_reply, (not initialised), (unknown type), (sender), request_error.
struct Incoming {
  std::string src;
  std::optional<std::string> dest;    // set when dest is a string
  std::optional<Error> dest_error;    // dest missing or not a string
  std::optional<Error> envelope_error;  // body, then (unless a reply) type and msg_id
  bool is_reply = false;              // body carries in_reply_to
  std::optional<std::uint64_t> in_reply_to;  // a reply's in_reply_to, when it fits 64 bits
  JValue reply_body;                  // a reply's body, for whoever awaits it
  std::string type;                   // body.type when it is a string
  int kind = -1;                      // the type's index in the catalog; -1: unknown, or a reply
  std::optional<std::string> msg_id;  // JSON text of an integer msg_id, echoed as in_reply_to
  // body.incarnation when it is an integer 0..2^64-1: node-to-node requests carry their
  // sender's, and replies to them echo it (docs/protocol.md §11). Read from any body.
  std::optional<std::uint64_t> incarnation;
  Request request;                    // set when the type is known and its fields are valid
  std::optional<Error> request_error; // 12 for a bad field
  // Not part of the request: a write's value and clock buffers, kept here while the request
  // is a get or a sync, so decoding a write after a get into a reused Incoming allocates
  // nothing; and a sync's versions, kept while the request is something else.
  Version spare_buffers;
  std::vector<KeyedVersion> spare_versions;
};

// Why a line cannot be answered (it is logged, not replied to).
struct Unanswerable {
  // "invalid JSON at column C near '...'", "not a JSON object" or "no string \"src\""
  std::string reason;
  std::string detail;  // the parser's message, for debug logs
};

using Decoded = std::variant<Unanswerable, Incoming>;

// Told a request's key (its JSON text, e.g. "\"x\"") as soon as the decoder has read it,
// before the value and clock. Only a hint: the line may still fail to decode. The node uses it
// to start loading the key's table slot while the rest of the line is parsed.
struct KeyAhead {
  void (*fn)(const void* context, std::string_view key_json) = nullptr;
  const void* context = nullptr;
  void operator()(std::string_view key_json) const {
    if (fn) fn(context, key_json);
  }
};

// Decodes one line (without its newline; a trailing '\r' is the caller's to strip) into out,
// reusing the buffers it holds from the line before (the node decodes every line into one
// object: no allocation per request on the fast path). The common client requests take a
// one-pass path; everything else, and everything unusual, goes through decode_line_general.
// The two agree on every line the one-pass path accepts.
void decode_line(std::string_view line, const CodecLimits& limits, const MessageCatalog& catalog,
                 Decoded& out, KeyAhead key_ahead = {});
Decoded decode_line(std::string_view line, const CodecLimits& limits,
                    const MessageCatalog& catalog);
// The general path: a full parse into a tree, then field checks. Exposed so tests and the
// fuzz target can hold the one-pass path to it.
Decoded decode_line_general(std::string_view line, const CodecLimits& limits,
                            const MessageCatalog& catalog);

}  // namespace vckv
