// The kinds of client operation: what a request looks like on the wire and what its reply
// means. One row per kind in operation.cpp; a new kind (a delete, a write carrying a context)
// is a row, its request's fields in request_body, its replies in classify, and what the checker
// must make of it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/check/history.hpp"
#include "model/check/outcome.hpp"

namespace vckv::model {

// The dvv kinds are server-assigned clocks' (docs/protocol.md §17, --clocks server).
enum class OpKind { kGet, kPut, kResolve, kDelete, kDvvGet, kDvvUpdate, kDvvDelete };

const char* op_name(OpKind k);         // "get", "put", "resolve", "delete", "dvv_get", "dvv_update",
                                       // "dvv_delete": the history's f
const char* request_type(OpKind k);    // "kv_get", "kv_put", "kv_resolve", "kv_delete", "dvv_get", ...
bool is_write(OpKind k);
bool is_read(OpKind k);                // kGet, kDvvGet
bool is_dotted(OpKind k);              // the dvv kinds
std::optional<OpKind> op_kind(const std::string& name);  // from op_name

// A new version a client writes, or a tombstone it deletes with (docs/protocol.md §16).
struct PlannedWrite {
  std::string value;  // a new unique string such as "c3-17", as JSON text; empty for a delete
  VectorClock clock;
  bool resolve = false;  // kv_resolve (the read returned siblings) rather than kv_put
  bool tombstone = false;  // kv_delete: no value
  // Server clocks (§17): dvv_update / dvv_delete sending `context` (`clock` unused).
  bool dotted = false;
  Context context{};
};

// A request's body in the protocol's field order, e.g.
// {"type": "kv_put", "msg_id": 3, "key": 5, "value": "c1-2", "clock": [1, 0]} (a delete:
// {"type": "kv_delete", "msg_id": 4, "key": 5, "clock": [2, 0]}; server clocks:
// {"type": "dvv_update", "msg_id": 3, "key": 5, "value": "c1-2", "context": {"n1": 2}},
// {"type": "dvv_delete", "msg_id": 4, "key": 5, "context": {}}, {"type": "dvv_get", ...}); without msg_id
// when none is given (the sender adds its own). `write` is required for a write.
std::string request_body(OpKind kind, std::int64_t key, const PlannedWrite* write,
                         std::optional<std::uint64_t> msg_id);

// A reply as far as classification needs it. `type` empty means no reply came in time.
struct ReplyFacts {
  std::string type;                  // "kv_put_ok", "error", ...; "" when timed out
  std::optional<std::int64_t> code;  // error code, when type is "error"
  std::string status;                // "written", "conflict", ... for write replies
};
// The facts of a reply body; nullptr (no reply in time) gives empty facts.
ReplyFacts reply_facts(const nlohmann::json* reply);

// What a reply means. A write is acknowledged by written/conflict (put), resolved/conflict
// (resolve) or deleted/conflict (delete, §16); rejected by stale, superseded (lww: stored nowhere) or any error but 0;
// indeterminate with no reply, or error 0. A get: kv_get_ok is ok; any error is a failed read
// (the client writes nothing based on it); no reply is indeterminate (harmless for a read).
// Any other reply breaks the protocol (Classified::violation).
Classified classify(OpKind kind, const ReplyFacts& reply);

// Server clocks (§17): dvv_update_ok's / dvv_delete_ok's dot and version_vector; nullopt when
// malformed.
struct DvvWriteReply {
  DotId dot;
  Context version_vector;
};
std::optional<DvvWriteReply> parse_dvv_write_reply(const nlohmann::json& body);
// dvv_get_ok's values (value, dot, version_vector), then its tombstones ("deleted": dot,
// version_vector), and its context; nullopt when malformed.
struct DvvRead {
  std::vector<StoredVersion> versions;
  Context context;
};
std::optional<DvvRead> parse_dvv_get(const nlohmann::json& body);
// A context or version vector as JSON: an object of node ids to counters 0 .. 2^64-1, zeros
// dropped; nullopt otherwise. A dot: ["n1", 3] with a counter >= 1.
std::optional<Context> context_from_json(const nlohmann::json& j);
std::optional<DotId> dot_from_json(const nlohmann::json& j);

// kv_get_ok's values, then its tombstones (§16: "deleted": [clock, ...], after values, only
// when the key holds some) as versions without value; nullopt when malformed. Liberal: a
// version object without "value" is a tombstone too.
std::optional<std::vector<StoredVersion>> parse_values(const nlohmann::json& body);

// The node-local read of docs/protocol.md §14 (never forwarded): {"type": "local_get", "key": K}
// answered {"type": "local_get_ok", "values": [...], "hints": [{"for": "n3", "value": V,
// "clock": C}, ...]}: the node's own versions of the key, and what it holds of it as a stand-in
// for other replicas. A node that does not implement it answers error 10 (unsupported type).
// Tombstones (§16): the reply's "deleted" list, as kv_get_ok's; a hint without "value" (or
// with "tombstone": true or "deleted": true) is a tombstone held for its replica.
struct LocalHoldings {
  std::vector<StoredVersion> values;
  std::vector<HeldHint> hints;
};
inline constexpr const char* kLocalGet = "local_get";
inline constexpr std::int64_t kErrorUnsupportedType = 10;
// local_get_ok's values and hints, or nullopt when malformed.
std::optional<LocalHoldings> parse_local_get(const nlohmann::json& body);

}  // namespace vckv::model
