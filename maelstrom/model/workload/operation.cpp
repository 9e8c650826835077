#include "model/workload/operation.hpp"

namespace vckv::model {

namespace {

using json = nlohmann::json;

struct OpRow {
  OpKind kind;
  const char* name;          // the history's f
  const char* request;       // the request's type
  const char* reply;         // its answer's type
  const char* acknowledged;  // a write's status that acknowledges it, besides "conflict"
  bool dotted = false;       // §17: the reply itself acknowledges (no status); the history's
                             // status is then `acknowledged`
};

constexpr OpRow kOps[] = {
    {OpKind::kGet, "get", "kv_get", "kv_get_ok", nullptr},
    {OpKind::kPut, "put", "kv_put", "kv_put_ok", "written"},        // docs/protocol.md §7
    {OpKind::kResolve, "resolve", "kv_resolve", "kv_resolve_ok", "resolved"},  // §9
    {OpKind::kDelete, "delete", "kv_delete", "kv_delete_ok", "deleted"},       // §16
    {OpKind::kDvvGet, "dvv_get", "dvv_get", "dvv_get_ok", nullptr, true},        // §17
    {OpKind::kDvvUpdate, "dvv_update", "dvv_update", "dvv_update_ok", "written", true},
    {OpKind::kDvvDelete, "dvv_delete", "dvv_delete", "dvv_delete_ok", "deleted", true},
};

const OpRow& row(OpKind k) {
  for (const OpRow& r : kOps) {
    if (r.kind == k) return r;
  }
  return kOps[0];
}

std::string error_status(std::int64_t code) {
  return "error " + std::to_string(code) + (code == kErrorTimeout ? " (timeout)" : "");
}

Classified classify_write(const OpRow& op, const ReplyFacts& reply) {
  Classified c;
  if (reply.type.empty()) {
    c.status = "timeout";
    return c;  // indeterminate
  }
  if (reply.type == "error") {
    if (!reply.code) {
      c.status = "error";
      c.violation = "an error reply without an integer code";
      return c;
    }
    c.status = error_status(*reply.code);
    if (*reply.code != kErrorTimeout) {
      c.op_class = OpClass::kError;
      c.write = WriteOutcome::kRejected;
    }
    return c;
  }
  if (reply.type != op.reply) {
    c.status = reply.type;
    c.violation = "expected " + std::string(op.reply) + " or error, got " + reply.type;
    return c;
  }
  if (op.dotted) {
    c.status = op.acknowledged;
    c.op_class = OpClass::kOk;
    c.write = WriteOutcome::kAcknowledged;
    return c;
  }
  c.status = reply.status;
  if (reply.status == "conflict" || reply.status == op.acknowledged) {
    c.op_class = reply.status == "conflict" ? OpClass::kConflict : OpClass::kOk;
    c.write = WriteOutcome::kAcknowledged;
  } else if (reply.status == "stale") {
    c.op_class = OpClass::kStale;
    c.write = WriteOutcome::kRejected;
  } else if (reply.status == "superseded") {
    // docs/protocol.md §13: the write lost in the last-writer-wins order and was stored
    // nowhere, so it must not appear (as a refused write must not).
    c.op_class = OpClass::kSuperseded;
    c.write = WriteOutcome::kRejected;
  } else {
    c.violation = "unknown status \"" + reply.status + "\" in " + reply.type;
  }
  return c;
}

Classified classify_get(const OpRow& op, const ReplyFacts& reply) {
  Classified c;
  if (reply.type.empty()) {
    c.status = "timeout";
    return c;
  }
  if (reply.type == "error") {
    c.op_class = OpClass::kError;
    c.status = reply.code ? error_status(*reply.code) : "error";
    if (!reply.code) c.violation = "an error reply without an integer code";
    return c;
  }
  if (reply.type != op.reply) {
    c.status = reply.type;
    c.violation = "expected " + std::string(op.reply) + " or error, got " + reply.type;
    return c;
  }
  c.op_class = OpClass::kOk;
  c.status = "ok";
  return c;
}

}  // namespace

const char* op_name(OpKind k) { return row(k).name; }
const char* request_type(OpKind k) { return row(k).request; }
bool is_write(OpKind k) { return row(k).acknowledged != nullptr; }
bool is_read(OpKind k) { return !is_write(k); }
bool is_dotted(OpKind k) { return row(k).dotted; }

std::optional<OpKind> op_kind(const std::string& name) {
  for (const OpRow& r : kOps) {
    if (name == r.name) return r.kind;
  }
  return std::nullopt;
}

std::string request_body(OpKind kind, std::int64_t key, const PlannedWrite* write,
                         std::optional<std::uint64_t> msg_id) {
  std::string body = std::string("{\"type\": \"") + request_type(kind) + "\"";
  if (msg_id) body += ", \"msg_id\": " + std::to_string(*msg_id);
  body += ", \"key\": " + std::to_string(key);
  if (is_write(kind) && write && write->dotted) {
    if (!write->tombstone) body += ", \"value\": " + write->value;
    body += ", \"context\": " + context_text(write->context);
  } else if (is_write(kind) && write) {
    if (kind != OpKind::kDelete) body += ", \"value\": " + write->value;
    body += ", \"clock\": " + clock_text(write->clock);
  }
  return body + "}";
}

ReplyFacts reply_facts(const json* reply) {
  ReplyFacts facts;
  if (!reply || !reply->is_object()) return facts;
  facts.type = reply->value("type", "");
  if (auto code = reply->find("code"); code != reply->end() && code->is_number_integer()) {
    facts.code = code->get<std::int64_t>();
  }
  if (auto status = reply->find("status"); status != reply->end() && status->is_string()) {
    facts.status = status->get<std::string>();
  }
  return facts;
}

Classified classify(OpKind kind, const ReplyFacts& reply) {
  return is_write(kind) ? classify_write(row(kind), reply) : classify_get(row(kind), reply);
}

namespace {

std::optional<StoredVersion> parse_dvv_version(const json& v, bool tombstone);

// A tombstone marker on a version object (liberal: "tombstone": true or "deleted": true).
bool marked_tombstone(const json& v) {
  for (const char* name : {"tombstone", "deleted"}) {
    auto it = v.find(name);
    if (it != v.end() && it->is_boolean() && it->get<bool>()) return true;
  }
  return false;
}

// {"value": V, "clock": C} or, a tombstone, {"clock": C}; nullopt when malformed.
// Server clocks (§17): {"value": V, "dot": D, "version_vector": VV}, a tombstone without "value".
std::optional<StoredVersion> parse_version(const json& v) {
  if (v.is_object() && v.contains("dot")) return parse_dvv_version(v, !v.contains("value") || marked_tombstone(v));
  if (!v.is_object() || !v.contains("clock")) return std::nullopt;
  auto clock = clock_from_json(v["clock"]);
  if (!clock) return std::nullopt;
  if (!v.contains("value") || marked_tombstone(v)) return tombstone_version(std::move(*clock));
  return StoredVersion{v["value"].dump(), std::move(*clock)};
}

// The "deleted" list (§16), appended to out; false when malformed. Absent: nothing.
bool parse_deleted(const json& body, std::vector<StoredVersion>& out) {
  auto it = body.find("deleted");
  if (it == body.end()) return true;
  if (!it->is_array()) return false;
  for (const json& c : *it) {
    if (c.is_object() && c.contains("dot")) {
      auto version = parse_dvv_version(c, true);
      if (!version) return false;
      out.push_back(std::move(*version));
      continue;
    }
    auto clock = clock_from_json(c.is_object() && c.contains("clock") ? c["clock"] : c);
    if (!clock) return false;
    out.push_back(tombstone_version(std::move(*clock)));
  }
  return true;
}

}  // namespace

std::optional<std::vector<StoredVersion>> parse_values(const json& body) {
  auto it = body.find("values");
  if (it == body.end() || !it->is_array()) return std::nullopt;
  std::vector<StoredVersion> out;
  for (const json& v : *it) {
    auto version = parse_version(v);
    if (!version) return std::nullopt;
    out.push_back(std::move(*version));
  }
  if (!parse_deleted(body, out)) return std::nullopt;
  return out;
}

std::optional<Context> context_from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  Context out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_number_unsigned()) return std::nullopt;
    const auto counter = it.value().get<std::uint64_t>();
    if (counter != 0) out[it.key()] = counter;
  }
  return out;
}

std::optional<DotId> dot_from_json(const json& j) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_string() || !j[1].is_number_unsigned()) return std::nullopt;
  DotId dot{j[0].get<std::string>(), j[1].get<std::uint64_t>()};
  if (dot.empty()) return std::nullopt;
  return dot;
}

std::optional<DvvWriteReply> parse_dvv_write_reply(const json& body) {
  if (!body.is_object() || !body.contains("dot") || !body.contains("version_vector")) return std::nullopt;
  auto dot = dot_from_json(body["dot"]);
  auto vv = context_from_json(body["version_vector"]);
  if (!dot || !vv) return std::nullopt;
  return DvvWriteReply{std::move(*dot), std::move(*vv)};
}

namespace {

// {"value": V, "dot": D, "version_vector": VV}, or without "value", a tombstone.
std::optional<StoredVersion> parse_dvv_version(const json& v, bool tombstone) {
  if (!v.is_object() || !v.contains("dot") || !v.contains("version_vector")) return std::nullopt;
  if (!tombstone && !v.contains("value")) return std::nullopt;
  auto dot = dot_from_json(v["dot"]);
  auto vv = context_from_json(v["version_vector"]);
  if (!dot || !vv) return std::nullopt;
  StoredVersion out = tombstone ? tombstone_version(VectorClock()) : StoredVersion{v["value"].dump(), VectorClock()};
  out.dot = std::move(*dot);
  out.version_vector = std::move(*vv);
  return out;
}

}  // namespace

std::optional<DvvRead> parse_dvv_get(const json& body) {
  if (!body.is_object()) return std::nullopt;
  auto values = body.find("values");
  auto context = body.find("context");
  if (values == body.end() || !values->is_array() || context == body.end()) return std::nullopt;
  DvvRead out;
  for (const json& v : *values) {
    auto version = parse_dvv_version(v, false);
    if (!version) return std::nullopt;
    out.versions.push_back(std::move(*version));
  }
  if (auto deleted = body.find("deleted"); deleted != body.end()) {
    if (!deleted->is_array()) return std::nullopt;
    for (const json& v : *deleted) {
      auto version = parse_dvv_version(v, true);
      if (!version) return std::nullopt;
      out.versions.push_back(std::move(*version));
    }
  }
  auto c = context_from_json(*context);
  if (!c) return std::nullopt;
  out.context = std::move(*c);
  return out;
}

std::optional<LocalHoldings> parse_local_get(const json& body) {
  auto values = parse_values(body);
  auto it = body.find("hints");
  if (!values || it == body.end() || !it->is_array()) return std::nullopt;
  LocalHoldings out;
  out.values = std::move(*values);
  for (const json& h : *it) {
    if (!h.is_object() || !h.contains("for") || !h["for"].is_string()) return std::nullopt;
    auto version = parse_version(h);
    if (!version) return std::nullopt;
    out.hints.push_back(HeldHint{h["for"].get<std::string>(), std::move(*version)});
  }
  return out;
}

}  // namespace vckv::model
