#include "outcome.hpp"

namespace vckv::harness {

const char* op_class_name(OpClass c) {
  switch (c) {
    case OpClass::kOk: return "ok";
    case OpClass::kConflict: return "conflict";
    case OpClass::kStale: return "stale";
    case OpClass::kSuperseded: return "superseded";
    case OpClass::kError: return "error";
    case OpClass::kIndeterminate: return "indeterminate";
  }
  return "?";
}

const char* jepsen_type(OpClass c) {
  switch (c) {
    case OpClass::kOk:
    case OpClass::kConflict: return "ok";
    case OpClass::kStale:
    case OpClass::kSuperseded:
    case OpClass::kError: return "fail";
    case OpClass::kIndeterminate: return "info";
  }
  return "?";
}

ReplyFacts reply_facts(const nlohmann::json* reply) {
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

namespace {

std::string error_status(std::int64_t code) {
  return "error " + std::to_string(code) + (code == kErrorTimeout ? " (timeout)" : "");
}

}  // namespace

Classified classify_write(const std::string& f, const ReplyFacts& reply) {
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
  const std::string expected = "kv_" + f + "_ok";
  if (reply.type != expected) {
    c.status = reply.type;
    c.violation = "expected " + expected + " or error, got " + reply.type;
    return c;
  }
  c.status = reply.status;
  // PROTOCOL §7 and §9: kv_put says written, kv_resolve says resolved.
  const bool ack_status = reply.status == "conflict" || reply.status == (f == "resolve" ? "resolved" : "written");
  if (ack_status) {
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

}  // namespace vckv::harness
