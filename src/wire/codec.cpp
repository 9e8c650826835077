#include "vckv/wire/codec.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "codec_fast.hpp"
#include "vckv/inlining.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

// The whole line may nest a little deeper than a value: envelope, body, versions, version.
constexpr std::size_t kMaxLineDepth = kMaxValueDepth + 8;

constexpr std::string_view kWhatNodeId = "a string";
constexpr std::string_view kWhatNodeIds = "a non-empty array of distinct strings";
constexpr std::string_view kWhatKey = "a string or an integer";
constexpr std::string_view kWhatValue = "any JSON value";

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

// "invalid JSON at column C near '...<bytes around C>...'" for the log of a line that does
// not parse: up to 24 bytes before the column and 8 after, bytes other than printable ASCII as
// \xNN (a log record is one line of text). The parser's own message goes to the debug log.
std::string invalid_json_reason(std::string_view line, std::size_t column) {
  if (column == 0) return "invalid JSON";
  constexpr std::size_t kBefore = 24, kAfter = 8;
  const std::size_t at = std::min(column - 1, line.size());
  const std::size_t first = at > kBefore ? at - kBefore : 0;
  const std::size_t last = std::min(line.size(), at + 1 + kAfter);
  std::string s = "invalid JSON at column " + std::to_string(column) + " near '";
  if (first > 0) s += "...";
  for (std::size_t i = first; i < last; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      s += "\\x";
      s += kHex[c >> 4];
      s += kHex[c & 15];
    }
  }
  if (last < line.size()) s += "...";
  s += '\'';
  return s;
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

std::optional<Error> read_write(std::string_view type, const JValue& body,
                                const CodecLimits& limits, WriteRequest& write) {
  if (auto e = read_key(type, body.find("key"), write.key)) return e;
  if (auto e = read_value(type, body.find("value"), write.version.value)) return e;
  return read_clock(type, body.find("clock"), limits.max_clock_entries, write.version.clock);
}

// A version between nodes: {value, clock}, or a tombstone (§16) {clock, "deleted": true} (its
// value text empty; a "deleted" of false, or missing, is a value's); with server clocks (§17)
// also "dot": [node index, counter].
std::optional<Error> read_node_version(std::string_view type, const JValue& item,
                                       const CodecLimits& limits, Version& version) {
  const JValue* deleted = item.find("deleted");
  if (deleted && deleted->kind != JValue::Kind::Bool) {
    return ill_typed(type, "deleted", "true (a tombstone) or false", *deleted);
  }
  if (deleted && deleted->boolean) {
    version.value.clear();
  } else if (auto e = read_value(type, item.find("value"), version.value)) {
    return e;
  }
  if (auto e = read_clock(type, item.find("clock"), limits.max_clock_entries, version.clock)) {
    return e;
  }
  version.dot = Dot{};
  const JValue* dot = item.find("dot");
  // Which versions carry a dot is the cluster's mode (§17); before init (a decoder test) any
  // well-formed dot is read.
  const std::size_t nodes = limits.cluster ? limits.cluster->size() : 0;
  if (limits.cluster && limits.server_clocks && version.clock.size() > nodes) {
    return malformed(prefixed(type, "clock has " + std::to_string(version.clock.size()) +
                                        " entries, more than the " + std::to_string(nodes) +
                                        " nodes of the cluster"));
  }
  if (limits.cluster && !limits.server_clocks) {
    if (dot) return malformed(prefixed(type, "dot is not accepted with --clocks client"));
    return std::nullopt;
  }
  constexpr std::string_view kWhatDot = "[node index, counter]";
  if (!dot) {
    if (limits.cluster) return missing(type, "dot", kWhatDot);
    return std::nullopt;
  }
  std::optional<std::uint64_t> node, counter;
  if (dot->kind == JValue::Kind::Array && dot->items.size() == 2 &&
      dot->items[0].kind == JValue::Kind::Int && dot->items[1].kind == JValue::Kind::Int) {
    node = clock_entry(dot->items[0].text);
    counter = clock_entry(dot->items[1].text);
  }
  if (!node || !counter || *counter == 0 || *node > 0xFFFFFFFFu ||
      (limits.cluster && *node >= nodes)) {
    return ill_typed(type, "dot", kWhatDot, *dot);
  }
  version.dot = Dot{static_cast<std::uint32_t>(*node), *counter};
  return std::nullopt;
}

// "context": {node id: counter, ...} (§17).
std::optional<Error> read_context(std::string_view type, const JValue* v,
                                  const CodecLimits& limits, DvvContext& context) {
  constexpr std::string_view what = "an object of node ids to counters";
  if (!v) return missing(type, "context", what);
  if (v->kind != JValue::Kind::Object) return ill_typed(type, "context", what, *v);
  context.clear();
  context.reserve(v->items.size());
  for (std::size_t i = 0; i < v->items.size(); ++i) {
    const JValue& item = v->items[i];
    std::string field = "context[";
    append_json_string(field, v->keys[i]);
    field += ']';
    if (item.kind != JValue::Kind::Int || item.text.front() == '-') {
      return ill_typed(type, field, "a non-negative integer", item);
    }
    const auto n = clock_entry(item.text);
    if (!n) return ill_typed(type, field, "at most 18446744073709551615", item);
    if (limits.cluster && std::find(limits.cluster->begin(), limits.cluster->end(),
                                    v->keys[i]) == limits.cluster->end()) {
      std::string text = "context names ";
      append_json_string(text, v->keys[i]);
      return malformed(prefixed(type, text + ", which is not a node of this cluster"));
    }
    context.emplace_back(v->keys[i], *n);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Error> decode_init(std::string_view type, const JValue& body, const CodecLimits&,
                                 Request& request) {
  InitRequest& init = request.emplace<InitRequest>();
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

std::optional<Error> decode_write(std::string_view type, const JValue& body,
                                  const CodecLimits& limits, Request& request) {
  return read_write(type, body, limits, request.emplace<WriteRequest>());
}

std::optional<Error> decode_delete(std::string_view type, const JValue& body,
                                   const CodecLimits& limits, Request& request) {
  WriteRequest& write = request.emplace<WriteRequest>();
  if (auto e = read_key(type, body.find("key"), write.key)) return e;
  write.version.value.clear();  // a tombstone
  return read_clock(type, body.find("clock"), limits.max_clock_entries, write.version.clock);
}

std::optional<Error> decode_get(std::string_view type, const JValue& body, const CodecLimits&,
                                Request& request) {
  return read_key(type, body.find("key"), request.emplace<GetRequest>().key);
}

std::string context_json(const DvvContext& context) {
  std::string out = "{";
  for (const auto& [id, n] : context) {
    if (out.size() > 1) out += kJsonItemSeparator;
    append_json_string(out, id);
    out += kJsonKeySeparator;
    out += std::to_string(n);
  }
  out += '}';
  return out;
}

std::optional<Error> decode_dvv_update(std::string_view type, const JValue& body,
                                       const CodecLimits& limits, Request& request) {
  WriteRequest& write = request.emplace<WriteRequest>();
  if (auto e = read_key(type, body.find("key"), write.key)) return e;
  if (auto e = read_value(type, body.find("value"), write.version.value)) return e;
  return read_context(type, body.find("context"), limits, write.context);
}

std::optional<Error> decode_dvv_delete(std::string_view type, const JValue& body,
                                       const CodecLimits& limits, Request& request) {
  WriteRequest& write = request.emplace<WriteRequest>();
  if (auto e = read_key(type, body.find("key"), write.key)) return e;
  write.version.value.clear();  // a tombstone
  return read_context(type, body.find("context"), limits, write.context);
}

namespace {

std::optional<Error> read_uint(std::string_view type, const JValue& body, std::string_view field,
                               std::uint64_t& out);

}  // namespace

std::optional<Error> decode_sync(std::string_view type, const JValue& body,
                                 const CodecLimits& limits, Request& request) {
  SyncRequest& sync = request.emplace<SyncRequest>();
  std::uint64_t incarnation = 0;
  if (auto e = read_uint(type, body, "incarnation", incarnation)) return e;
  const JValue* versions = body.find("versions");
  constexpr std::string_view what = "an array of [key, value, clock] arrays or {key, ...} objects";
  if (!versions) return missing(type, "versions", what);
  if (versions->kind != JValue::Kind::Array) return ill_typed(type, "versions", what, *versions);
  sync.versions.reserve(versions->items.size());
  for (std::size_t i = 0; i < versions->items.size(); ++i) {
    const JValue& item = versions->items[i];
    const std::string field = "versions[" + std::to_string(i) + "]";
    WriteRequest w;
    const std::string where = prefixed(type, field);
    if (item.kind == JValue::Kind::Array && item.items.size() == 3) {
      // A plain version, as this node writes one: [key, value, clock].
      if (auto e = read_key(where, &item.items[0], w.key)) return e;
      if (auto e = read_value(where, &item.items[1], w.version.value)) return e;
      if (auto e = read_clock(where, &item.items[2], limits.max_clock_entries, w.version.clock)) {
        return e;
      }
      if (limits.cluster && limits.server_clocks) {  // (as read_node_version finds an object)
        const std::size_t nodes = limits.cluster->size();
        if (w.version.clock.size() > nodes) {
          return malformed(prefixed(where, "clock has " + std::to_string(w.version.clock.size()) +
                                               " entries, more than the " +
                                               std::to_string(nodes) + " nodes of the cluster"));
        }
        return missing(where, "dot", "[node index, counter]");
      }
    } else if (item.kind == JValue::Kind::Object) {
      if (auto e = read_key(where, item.find("key"), w.key)) return e;
      if (auto e = read_node_version(where, item, limits, w.version)) return e;
    } else {
      return ill_typed(type, field, "[key, value, clock] or an object", item);
    }
    sync.versions.push_back(KeyedVersion{std::move(w.key), std::move(w.version)});
  }
  return std::nullopt;
}

std::optional<Error> decode_hint(std::string_view type, const JValue& body,
                                 const CodecLimits& limits, Request& request) {
  if (auto e = decode_sync(type, body, limits, request)) return e;
  SyncRequest& hint = std::get<SyncRequest>(request);
  constexpr std::string_view what = "a string: the replica the versions are held for";
  const JValue* for_node = body.find("for");
  if (!for_node) return missing(type, "for", what);
  if (for_node->kind != JValue::Kind::String || for_node->text.empty()) {
    return ill_typed(type, "for", what, *for_node);
  }
  hint.hint_for = for_node->text;
  return std::nullopt;
}

namespace {

// "<field>": [non-negative integers of up to 64 bits, ...]
std::optional<Error> read_uint_array(std::string_view type, const JValue& body,
                                     std::string_view field, std::vector<std::uint64_t>& out) {
  constexpr std::string_view what = "an array of non-negative integers";
  const JValue* v = body.find(field);
  if (!v) return missing(type, field, what);
  if (v->kind != JValue::Kind::Array) return ill_typed(type, field, what, *v);
  out.clear();
  out.reserve(v->items.size());
  for (std::size_t i = 0; i < v->items.size(); ++i) {
    const JValue& item = v->items[i];
    std::optional<std::uint64_t> n;
    if (item.kind == JValue::Kind::Int) n = clock_entry(item.text);  // the same number rule
    if (!n) {
      return ill_typed(type, std::string(field) + "[" + std::to_string(i) + "]",
                       "a non-negative integer of at most 64 bits", item);
    }
    out.push_back(*n);
  }
  return std::nullopt;
}

std::optional<Error> read_uint(std::string_view type, const JValue& body, std::string_view field,
                               std::uint64_t& out) {
  constexpr std::string_view what = "a non-negative integer";
  const JValue* v = body.find(field);
  if (!v) return missing(type, field, what);
  std::optional<std::uint64_t> n;
  if (v->kind == JValue::Kind::Int) n = clock_entry(v->text);
  if (!n) return ill_typed(type, field, what, *v);
  out = *n;
  return std::nullopt;
}

std::optional<Error> same_length(std::string_view type, std::string_view a, std::size_t na,
                                 std::string_view b, std::size_t nb) {
  if (na == nb) return std::nullopt;
  return malformed(prefixed(type, std::string(a) + " and " + std::string(b) +
                                      " must be as long as each other, got " +
                                      std::to_string(na) + " and " + std::to_string(nb)));
}

}  // namespace

std::optional<Error> decode_fetch(std::string_view type, const JValue& body, const CodecLimits&,
                                  Request& request) {
  GetRequest& fetch = request.emplace<GetRequest>();
  std::uint64_t incarnation = 0;
  if (auto e = read_uint(type, body, "incarnation", incarnation)) return e;
  return read_key(type, body.find("key"), fetch.key);
}

std::optional<Error> decode_nothing(std::string_view, const JValue&, const CodecLimits&,
                                    Request& request) {
  request.emplace<std::monostate>();
  return std::nullopt;
}

std::optional<Error> decode_reap(std::string_view type, const JValue& body,
                                 const CodecLimits& limits, Request& request) {
  ReapRequest& reap = request.emplace<ReapRequest>();
  std::uint64_t incarnation = 0;
  if (auto e = read_uint(type, body, "incarnation", incarnation)) return e;
  if (auto e = read_key(type, body.find("key"), reap.key)) return e;
  constexpr std::string_view what = "a non-empty array of clocks";
  const JValue* clocks = body.find("clocks");
  if (!clocks) return missing(type, "clocks", what);
  if (clocks->kind != JValue::Kind::Array || clocks->items.empty()) {
    return ill_typed(type, "clocks", what, *clocks);
  }
  reap.clocks.resize(clocks->items.size());
  for (std::size_t i = 0; i < clocks->items.size(); ++i) {
    // ("reap_check: clocks[1]: clock[0] must be ...")
    if (auto e = read_clock(prefixed(type, "clocks[" + std::to_string(i) + "]"), &clocks->items[i],
                            limits.max_clock_entries, reap.clocks[i])) {
      return e;
    }
  }
  return std::nullopt;
}

std::optional<Error> decode_tree(std::string_view type, const JValue& body, const CodecLimits&,
                                 Request& request) {
  TreeRequest& tree = request.emplace<TreeRequest>();
  if (auto e = read_uint(type, body, "level", tree.level)) return e;
  if (auto e = read_uint_array(type, body, "nodes", tree.nodes)) return e;
  if (auto e = read_uint_array(type, body, "hashes", tree.hashes)) return e;
  if (auto e = read_uint_array(type, body, "counts", tree.counts)) return e;
  if (auto e = same_length(type, "nodes", tree.nodes.size(), "hashes", tree.hashes.size())) return e;
  return same_length(type, "nodes", tree.nodes.size(), "counts", tree.counts.size());
}

std::optional<Error> decode_tree_keys(std::string_view type, const JValue& body,
                                      const CodecLimits&, Request& request) {
  TreeKeysRequest& tk = request.emplace<TreeKeysRequest>();
  if (auto e = read_uint(type, body, "level", tk.level)) return e;
  if (auto e = read_uint_array(type, body, "nodes", tk.nodes)) return e;
  if (auto e = read_uint_array(type, body, "hashes", tk.hashes)) return e;
  const JValue* keys = body.find("keys");
  constexpr std::string_view what = "an array of keys";
  if (!keys) return missing(type, "keys", what);
  if (keys->kind != JValue::Kind::Array) return ill_typed(type, "keys", what, *keys);
  tk.keys.resize(keys->items.size());
  for (std::size_t i = 0; i < keys->items.size(); ++i) {
    if (auto e = read_key(prefixed(type, "keys[" + std::to_string(i) + "]"), &keys->items[i],
                          tk.keys[i])) {
      return e;
    }
  }
  if (auto e = same_length(type, "keys", tk.keys.size(), "hashes", tk.hashes.size())) return e;
  const JValue* answer = body.find("answer");
  tk.answer = answer && answer->kind == JValue::Kind::Bool && answer->boolean;
  return std::nullopt;
}

std::optional<Error> decode_values(std::string_view type, const JValue& body,
                                   const CodecLimits& limits, std::vector<Version>& versions) {
  const JValue* values = body.find("values");
  constexpr std::string_view what = "an array of {value, clock} objects";
  if (!values) return missing(type, "values", what);
  if (values->kind != JValue::Kind::Array) return ill_typed(type, "values", what, *values);
  versions.clear();
  versions.resize(values->items.size());
  for (std::size_t i = 0; i < values->items.size(); ++i) {
    const JValue& item = values->items[i];
    const std::string field = "values[" + std::to_string(i) + "]";
    if (item.kind != JValue::Kind::Object) return ill_typed(type, field, "an object", item);
    if (auto e = read_node_version(prefixed(type, field), item, limits, versions[i])) return e;
  }
  return std::nullopt;
}

VCKV_HOT
void decode_line(std::string_view line, const CodecLimits& limits, const MessageCatalog& catalog,
                 Decoded& out, KeyAhead key_ahead) {
  auto* in = std::get_if<Incoming>(&out);
  if (!in) in = &out.emplace<Incoming>();
  // The one-pass path does not touch reply_body: drop what a reply decoded here before left.
  if (in->is_reply) in->reply_body = JValue{};
  if (!detail::decode_fast(line, limits, catalog, *in, key_ahead)) {
    out = decode_line_general(line, limits, catalog);
  }
}

Decoded decode_line(std::string_view line, const CodecLimits& limits,
                    const MessageCatalog& catalog) {
  Decoded decoded(std::in_place_type<Incoming>);
  decode_line(line, limits, catalog, decoded);
  return decoded;
}

Decoded decode_line_general(std::string_view line, const CodecLimits& limits,
                            const MessageCatalog& catalog) {
  JValue root;
  std::string parse_error;
  std::size_t error_column = 0;
  if (!parse_json(line, root, parse_error, kMaxLineDepth, &error_column)) {
    return Unanswerable{invalid_json_reason(line, error_column), parse_error};
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
  if (const JValue* incarnation = body->find("incarnation");
      incarnation && incarnation->kind == JValue::Kind::Int) {
    in.incarnation = clock_entry(incarnation->text);  // (the same number rule)
  }
  if (const JValue* reply_to = body->find("in_reply_to")) {
    in.is_reply = true;
    if (reply_to->kind == JValue::Kind::Int) in.in_reply_to = to_u64(reply_to->text);
    if (const JValue* type = body->find("type"); type && type->kind == JValue::Kind::String) {
      in.type = type->text;
    }
    in.reply_body = std::move(root.find_mutable("body"));
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
  in.kind = catalog.find(in.type);
  if (in.kind >= 0) in.request_error = catalog.decoder(in.kind)(in.type, *body, limits, in.request);
  return in;
}

}  // namespace vckv
