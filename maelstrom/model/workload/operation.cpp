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
};

constexpr OpRow kOps[] = {
    {OpKind::kGet, "get", "kv_get", "kv_get_ok", nullptr},
    {OpKind::kPut, "put", "kv_put", "kv_put_ok", "written"},        // docs/protocol.md §7
    {OpKind::kResolve, "resolve", "kv_resolve", "kv_resolve_ok", "resolved"},  // §9
    {OpKind::kDelete, "delete", "kv_delete", "kv_delete_ok", "deleted"},       // §16
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

Classified classify_get(const ReplyFacts& reply) {
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
  if (reply.type != "kv_get_ok") {
    c.status = reply.type;
    c.violation = "expected kv_get_ok or error, got " + reply.type;
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
  if (is_write(kind) && write) {
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
  return is_write(kind) ? classify_write(row(kind), reply) : classify_get(reply);
}

namespace {

// A tombstone marker on a version object (liberal: "tombstone": true or "deleted": true).
bool marked_tombstone(const json& v) {
  for (const char* name : {"tombstone", "deleted"}) {
    auto it = v.find(name);
    if (it != v.end() && it->is_boolean() && it->get<bool>()) return true;
  }
  return false;
}

// {"value": V, "clock": C} or, a tombstone, {"clock": C}; nullopt when malformed.
std::optional<StoredVersion> parse_version(const json& v) {
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
