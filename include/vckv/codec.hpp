// The codec seam: one input line -> a typed request or a typed error; a typed reply -> the
// exact output bytes. Everything the node knows about JSON goes through here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vckv/errors.hpp"
#include "vckv/sibling_store.hpp"

namespace vckv {

struct CodecLimits {
  std::size_t max_clock_entries = 1024;
};

// Values may nest at most this many arrays/objects deep ([] is 1).
inline constexpr std::size_t kMaxValueDepth = 200;

struct InitRequest {
  std::string node_id;
  std::vector<std::string> node_ids;
};
struct WriteRequest {  // kv_put and kv_resolve
  std::string key;     // JSON text of the key: "\"x\"" or "1"
  Version version;
};
struct GetRequest {
  std::string key;
};
struct KeyedVersion {
  std::string key;
  Version version;
};
struct SyncRequest {  // node-to-node: versions to merge (PROTOCOL §11)
  std::vector<KeyedVersion> versions;
};
using Request = std::variant<std::monostate, InitRequest, WriteRequest, GetRequest, SyncRequest>;

// One decoded envelope. The checks that need the node's state (is it initialised, is dest this
// node) are the node's; every other problem is reported here, and the node applies them in
// PROTOCOL order: dest_error, (drop if dest is another node), envelope_error, is_reply, (not
// initialised), request_error.
struct Incoming {
  std::string src;
  std::optional<std::string> dest;    // set when dest is a string
  std::optional<Error> dest_error;    // dest missing or not a string
  std::optional<Error> envelope_error;  // body, then (unless a reply) type and msg_id
  bool is_reply = false;              // body carries in_reply_to
  std::optional<std::uint64_t> in_reply_to;  // a reply's in_reply_to, when it fits 64 bits
  std::string type;                   // body.type when it is a string
  std::optional<std::string> msg_id;  // JSON text of an integer msg_id, echoed as in_reply_to
  Request request;                    // set when type is known and its fields are valid
  std::optional<Error> request_error; // 10 for an unknown type, 12 for a bad field
  // Not part of the request: a write's value and clock buffers, kept here while the request
  // is a get, so decoding a write after a get into a reused Incoming allocates nothing.
  Version spare_buffers;
};

// Why a line cannot be answered (it is logged, not replied to).
struct Unanswerable {
  std::string reason;  // "not a JSON object" or "no string \"src\""
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

// Decodes one line (without its newline; a trailing '\r' is the caller's to strip).
// Common client requests take a one-pass fast path; everything else, and everything unusual,
// goes through decode_line_general. The two agree on every line the fast path accepts.
Decoded decode_line(std::string_view line, const CodecLimits& limits);
// The same into out, reusing the buffers it holds from the line before (the node decodes every
// line into one object: no allocation per request on the fast path).
void decode_line(std::string_view line, const CodecLimits& limits, Decoded& out,
                 KeyAhead key_ahead = {});
// The general path: a full parse into a tree, then field checks. Exposed so tests and the
// fuzz target can hold the fast path to it.
Decoded decode_line_general(std::string_view line, const CodecLimits& limits);

// Appends one message in the exact PROTOCOL §2 byte format to out:
// {"src": S, "dest": D, "body": {"type": T[, "in_reply_to": R], FIELDS..., "msg_id": N}}\n
// Fields appear in the order they are added; msg_id is always last. The bytes go straight into
// room made in out ahead of them (one size check per piece, no per-character appends); a
// builder destroyed before finish takes its unfinished message out of out again.
class MessageBuilder {
 public:
  MessageBuilder(std::string& out, std::string_view src, std::string_view dest,
                 std::string_view type, const std::optional<std::string>& in_reply_to);
  MessageBuilder(const MessageBuilder&) = delete;
  MessageBuilder& operator=(const MessageBuilder&) = delete;
  ~MessageBuilder();
  MessageBuilder& field_json(std::string_view name, std::string_view json_text);
  MessageBuilder& field_string(std::string_view name, std::string_view text);
  MessageBuilder& field_uint(std::string_view name, std::uint64_t n);
  // [{"value": V, "clock": C}, ...] (with "key": K first in each when key is given)
  MessageBuilder& field_versions(std::string_view name, const SiblingSet& versions);
  MessageBuilder& field_keyed_versions(std::string_view name,
                                       const std::vector<KeyedVersion>& versions);
  void finish(std::uint64_t msg_id);

 private:
  // Makes room for n more bytes; returns where they go. Writers then call wrote(end).
  char* room(std::size_t n) {
    if (out_.size() - used_ < n) grow(n);
    return out_.data() + used_;
  }
  void grow(std::size_t n);
  void wrote(const char* end) { used_ = static_cast<std::size_t>(end - out_.data()); }
  void raw(std::string_view bytes);
  void name(std::string_view n);  // , "n": 
  // One entry of a versions array: {"value": V, "clock": C}, with "key": K first when key is
  // given, and ", " before it unless first.
  void version(const std::string* key, std::string_view value, ClockSlots clock, bool first);
  std::string& out_;
  std::size_t begin_;  // where this message starts in out_
  std::size_t used_;   // out_'s bytes in use; the rest of out_.size() is room
  bool finished_ = false;
};

// The request type's reply type, "kv_put" -> "kv_put_ok"; empty for a type the node does not
// answer.
std::string_view reply_type(std::string_view request_type);

}  // namespace vckv
