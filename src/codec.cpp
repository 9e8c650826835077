#include "vckv/codec.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "codec_fast.hpp"
#include "vckv/json_text.hpp"

namespace vckv {
namespace {

// The whole line may nest a little deeper than a value: envelope, body, versions, version.
constexpr std::size_t kMaxLineDepth = kMaxValueDepth + 8;

constexpr std::string_view kWhatNodeId = "a string";
constexpr std::string_view kWhatNodeIds = "a non-empty array of distinct strings";
constexpr std::string_view kWhatKey = "a string or an integer";
constexpr std::string_view kWhatValue = "any JSON value";
constexpr std::string_view kWhatClock = "an array of non-negative integers";

Error malformed(std::string text) { return Error{ErrorCode::kMalformedRequest, std::move(text)}; }

std::string prefixed(std::string_view type, std::string_view text) {
  std::string s(type);
  s += ": ";
  s += text;
  return s;
}

// "<T>: <field> is missing; expected <what>"
Error missing(std::string_view type, std::string_view field, std::string_view what) {
  return malformed(prefixed(type, std::string(field) + " is missing; expected " + std::string(what)));
}

// "<T>: <field> must be <what>, got X"
Error ill_typed(std::string_view type, std::string_view field, std::string_view what,
                const JValue& got) {
  return malformed(prefixed(
      type, std::string(field) + " must be " + std::string(what) + ", got " + json_excerpt(got)));
}

std::optional<std::uint64_t> to_u64(const std::string& digits) {
  std::uint64_t n = 0;
  const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size()) return std::nullopt;
  return n;
}

// Field validators: each returns the error for the first problem, or fills its output.

std::optional<Error> read_key(std::string_view type, const JValue* v, std::string& key) {
  if (!v) return missing(type, "key", kWhatKey);
  if (v->kind != JValue::Kind::String && v->kind != JValue::Kind::Int) {
    return ill_typed(type, "key", kWhatKey, *v);
  }
  key = to_json(*v);
  return std::nullopt;
}

std::optional<Error> read_value(std::string_view type, const JValue* v, std::string& value) {
  if (!v) return missing(type, "value", kWhatValue);
  if (nesting_depth(*v) > kMaxValueDepth) {
    return malformed(prefixed(
        type, "value nests deeper than " + std::to_string(kMaxValueDepth) + " levels"));
  }
  value = to_json(*v);
  return std::nullopt;
}

// The one place clocks are validated.
std::optional<Error> read_clock(std::string_view type, const JValue* v, const CodecLimits& limits,
                                VectorClock& clock) {
  if (!v) return missing(type, "clock", kWhatClock);
  if (v->kind != JValue::Kind::Array) return ill_typed(type, "clock", kWhatClock, *v);
  if (v->items.size() > limits.max_clock_entries) {
    return malformed(prefixed(type, "clock has " + std::to_string(v->items.size()) +
                                        " entries, more than --max-clock-entries (" +
                                        std::to_string(limits.max_clock_entries) + ")"));
  }
  std::vector<std::uint64_t> slots;
  slots.reserve(v->items.size());
  for (std::size_t i = 0; i < v->items.size(); ++i) {
    const JValue& item = v->items[i];
    const std::string field = "clock[" + std::to_string(i) + "]";
    if (item.kind != JValue::Kind::Int || item.text.front() == '-') {
      return ill_typed(type, field, "a non-negative integer", item);
    }
    const auto n = to_u64(item.text);
    if (!n) return ill_typed(type, field, "at most 18446744073709551615", item);
    slots.push_back(*n);
  }
  clock = VectorClock(std::move(slots));
  return std::nullopt;
}

std::optional<Error> read_init(const JValue& body, InitRequest& init) {
  const std::string_view type = "init";
  const JValue* id = body.find("node_id");
  if (!id) return missing(type, "node_id", kWhatNodeId);
  if (id->kind != JValue::Kind::String) return ill_typed(type, "node_id", kWhatNodeId, *id);
  init.node_id = id->text;
  const JValue* ids = body.find("node_ids");
  if (!ids) return missing(type, "node_ids", kWhatNodeIds);
  if (ids->kind != JValue::Kind::Array || ids->items.empty()) {
    return ill_typed(type, "node_ids", kWhatNodeIds, *ids);
  }
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < ids->items.size(); ++i) {
    const JValue& item = ids->items[i];
    if (item.kind != JValue::Kind::String) {
      return ill_typed(type, "node_ids[" + std::to_string(i) + "]", "a string", item);
    }
    if (!seen.insert(item.text).second) {
      std::string quoted;
      append_json_string(quoted, item.text);
      return malformed(prefixed(type, "node_ids has " + quoted + " more than once"));
    }
    init.node_ids.push_back(item.text);
  }
  if (!seen.count(init.node_id)) {
    std::string quoted;
    append_json_string(quoted, init.node_id);
    return malformed(prefixed(type, "node_ids must contain node_id " + quoted));
  }
  return std::nullopt;
}

std::optional<Error> read_write(std::string_view type, const JValue& body,
                                const CodecLimits& limits, WriteRequest& write) {
  if (auto e = read_key(type, body.find("key"), write.key)) return e;
  if (auto e = read_value(type, body.find("value"), write.version.value)) return e;
  return read_clock(type, body.find("clock"), limits, write.version.clock);
}

std::optional<Error> read_sync(const JValue& body, const CodecLimits& limits, SyncRequest& sync) {
  const std::string_view type = "sync";
  const JValue* versions = body.find("versions");
  constexpr std::string_view what = "an array of {key, value, clock} objects";
  if (!versions) return missing(type, "versions", what);
  if (versions->kind != JValue::Kind::Array) return ill_typed(type, "versions", what, *versions);
  for (std::size_t i = 0; i < versions->items.size(); ++i) {
    const JValue& item = versions->items[i];
    const std::string where = "sync: versions[" + std::to_string(i) + "]";
    if (item.kind != JValue::Kind::Object) {
      return ill_typed("sync", "versions[" + std::to_string(i) + "]", "an object", item);
    }
    WriteRequest w;
    if (auto e = read_write(where, item, limits, w)) return e;
    sync.versions.push_back(KeyedVersion{std::move(w.key), std::move(w.version)});
  }
  return std::nullopt;
}

// Decodes body fields for a known type into request; returns its error, 10 for unknown types.
std::optional<Error> read_request(const std::string& type, const JValue& body,
                                  const CodecLimits& limits, Request& request) {
  if (type == "kv_put" || type == "kv_resolve") {
    WriteRequest w;
    if (auto e = read_write(type, body, limits, w)) return e;
    request = std::move(w);
  } else if (type == "kv_get") {
    GetRequest g;
    if (auto e = read_key(type, body.find("key"), g.key)) return e;
    request = std::move(g);
  } else if (type == "init") {
    InitRequest init;
    if (auto e = read_init(body, init)) return e;
    request = std::move(init);
  } else if (type == "sync") {
    SyncRequest sync;
    if (auto e = read_sync(body, limits, sync)) return e;
    request = std::move(sync);
  } else {
    return Error{ErrorCode::kNotSupported, prefixed(type, "unsupported message type")};
  }
  return std::nullopt;
}

}  // namespace

void decode_line(std::string_view line, const CodecLimits& limits, Decoded& out,
                 KeyAhead key_ahead) {
  auto* in = std::get_if<Incoming>(&out);
  if (!in) in = &out.emplace<Incoming>();
  if (!detail::decode_fast(line, limits, *in, key_ahead)) out = decode_line_general(line, limits);
}

Decoded decode_line(std::string_view line, const CodecLimits& limits) {
  Decoded decoded(std::in_place_type<Incoming>);
  decode_line(line, limits, decoded);
  return decoded;
}

Decoded decode_line_general(std::string_view line, const CodecLimits& limits) {
  JValue root;
  std::string parse_error;
  if (!parse_json(line, root, parse_error, kMaxLineDepth)) {
    return Unanswerable{"not a JSON object", parse_error};
  }
  if (root.kind != JValue::Kind::Object) return Unanswerable{"not a JSON object", "not an object"};
  const JValue* src = root.find("src");
  if (!src || src->kind != JValue::Kind::String) return Unanswerable{"no string \"src\"", ""};

  Incoming in;
  in.src = src->text;
  const JValue* dest = root.find("dest");
  if (!dest) {
    in.dest_error = malformed("dest is missing; expected a string");
  } else if (dest->kind != JValue::Kind::String) {
    in.dest_error = malformed("dest must be a string, got " + json_excerpt(*dest));
  } else {
    in.dest = dest->text;
  }

  const JValue* body = root.find("body");
  if (!body) {
    in.envelope_error = malformed("body is missing; expected an object");
    return in;
  }
  if (body->kind != JValue::Kind::Object) {
    in.envelope_error = malformed("body must be an object, got " + json_excerpt(*body));
    return in;
  }
  const JValue* msg_id = body->find("msg_id");
  const bool msg_id_ok = msg_id && msg_id->kind == JValue::Kind::Int;
  if (msg_id_ok) in.msg_id = msg_id->text;
  if (const JValue* reply_to = body->find("in_reply_to")) {
    in.is_reply = true;
    if (reply_to->kind == JValue::Kind::Int) in.in_reply_to = to_u64(reply_to->text);
    if (const JValue* type = body->find("type"); type && type->kind == JValue::Kind::String) {
      in.type = type->text;
    }
    return in;
  }
  const JValue* type = body->find("type");
  if (!type) {
    in.envelope_error = malformed("type is missing; expected a string");
    return in;
  }
  if (type->kind != JValue::Kind::String) {
    in.envelope_error = malformed("type must be a string, got " + json_excerpt(*type));
    return in;
  }
  in.type = type->text;
  if (msg_id && !msg_id_ok) {
    in.envelope_error = ill_typed(in.type, "msg_id", "an integer", *msg_id);
    return in;
  }
  in.request_error = read_request(in.type, *body, limits, in.request);
  return in;
}

MessageBuilder::MessageBuilder(std::string& out, std::string_view src, std::string_view dest,
                               std::string_view type,
                               const std::optional<std::string>& in_reply_to)
    : out_(out), begin_(out.size()), used_(out.size()) {
  static constexpr std::string_view kSrc = R"({"src": )", kDest = R"(, "dest": )",
                                    kBody = R"(, "body": {"type": )";
  char* p = room(kSrc.size() + kDest.size() + kBody.size() + json_string_max_size(src.size()) +
                 json_string_max_size(dest.size()) + json_string_max_size(type.size()));
  p = std::copy(kSrc.begin(), kSrc.end(), p);
  p = write_json_string(p, src);
  p = std::copy(kDest.begin(), kDest.end(), p);
  p = write_json_string(p, dest);
  p = std::copy(kBody.begin(), kBody.end(), p);
  wrote(write_json_string(p, type));
  if (in_reply_to) field_json("in_reply_to", *in_reply_to);
}

MessageBuilder::~MessageBuilder() {
  if (!finished_) out_.resize(begin_);  // (after finish, out_ may hold later messages too)
}

void MessageBuilder::grow(std::size_t n) {
  // Some slack, so the fields after this one usually fit without another resize.
  out_.resize(used_ + n + 128);
}

void MessageBuilder::raw(std::string_view bytes) {
  wrote(std::copy(bytes.begin(), bytes.end(), room(bytes.size())));
}

void MessageBuilder::name(std::string_view n) {
  // Field names are the protocol's own plain ASCII identifiers: nothing to escape.
  char* p = room(n.size() + 5);
  *p++ = ',';
  *p++ = ' ';
  *p++ = '"';
  p = std::copy(n.begin(), n.end(), p);
  *p++ = '"';
  *p++ = ':';
  *p++ = ' ';
  wrote(p);
}

MessageBuilder& MessageBuilder::field_json(std::string_view n, std::string_view json_text) {
  name(n);
  raw(json_text);
  return *this;
}

MessageBuilder& MessageBuilder::field_string(std::string_view n, std::string_view text) {
  name(n);
  wrote(write_json_string(room(json_string_max_size(text.size())), text));
  return *this;
}

MessageBuilder& MessageBuilder::field_uint(std::string_view n, std::uint64_t value) {
  name(n);
  char* p = room(20);
  wrote(std::to_chars(p, p + 20, value).ptr);
  return *this;
}

void MessageBuilder::version(const std::string* key, std::string_view value, ClockSlots clock,
                             bool first) {
  // [", "]{["\"key\": " KEY ", "]"\"value\": " VALUE ", \"clock\": " CLOCK}
  static constexpr std::string_view kKey = R"("key": )", kValue = R"("value": )",
                                    kClock = R"(, "clock": )";
  const std::size_t key_bytes = key ? kKey.size() + key->size() + 2 : 0;
  char* p = room(3 + key_bytes + kValue.size() + value.size() + kClock.size() +
                 clock_json_max_size(clock.size()) + 1);
  if (!first) {
    *p++ = ',';
    *p++ = ' ';
  }
  *p++ = '{';
  if (key) {
    p = std::copy(kKey.begin(), kKey.end(), p);
    p = std::copy(key->begin(), key->end(), p);
    *p++ = ',';
    *p++ = ' ';
  }
  p = std::copy(kValue.begin(), kValue.end(), p);
  p = std::copy(value.begin(), value.end(), p);
  p = std::copy(kClock.begin(), kClock.end(), p);
  p = write_clock_json(p, clock);
  *p++ = '}';
  wrote(p);
}

MessageBuilder& MessageBuilder::field_versions(std::string_view n,
                                               const SiblingSet& versions) {
  name(n);
  raw("[");
  bool first = true;
  for (VersionView v : versions) {
    version(nullptr, v.value, v.slots, first);
    first = false;
  }
  raw("]");
  return *this;
}

MessageBuilder& MessageBuilder::field_keyed_versions(std::string_view n,
                                                     const std::vector<KeyedVersion>& versions) {
  name(n);
  raw("[");
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const KeyedVersion& kv = versions[i];
    version(&kv.key, kv.version.value, kv.version.clock.slots(), i == 0);
  }
  raw("]");
  return *this;
}

void MessageBuilder::finish(std::uint64_t msg_id) {
  field_uint("msg_id", msg_id);
  raw("}}\n");
  out_.resize(used_);
  finished_ = true;
}

std::string_view reply_type(std::string_view request_type) {
  static constexpr std::pair<std::string_view, std::string_view> kReplies[] = {
      {"kv_put", "kv_put_ok"}, {"kv_get", "kv_get_ok"},  {"kv_resolve", "kv_resolve_ok"},
      {"init", "init_ok"},     {"sync", "sync_ok"},
  };
  for (const auto& [request, reply] : kReplies) {
    if (request == request_type) return reply;
  }
  return {};
}

}  // namespace vckv
