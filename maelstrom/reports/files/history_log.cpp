#include "reports/files/history_log.hpp"

#include <cmath>
#include <cstdio>

#include "model/clock_text.hpp"
#include "reports/files/format.hpp"

namespace vckv::reports {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// "c3-4" [0, 0, 4]
std::string version_text(const json& v) {
  return dump(v.value("value", json())) + " " + model::clock_text(v.value("clock", json()));
}

std::string padded(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

json invoke_event(std::uint64_t index, const std::string& process, const std::string& f, const json& key,
                  const std::string& node, double time_ms, json request) {
  return {{"index", index}, {"type", "invoke"}, {"process", process}, {"f", f}, {"key", key},
          {"node", node},   {"time_ms", round3(time_ms)}, {"request", std::move(request)}};
}

json completion_event(std::uint64_t index, const std::string& process, const std::string& f, const json& key,
                      const std::string& node, double time_ms, double latency_ms, const model::Classified& outcome,
                      const json* reply, int siblings) {
  json e{{"index", index},
         {"type", model::jepsen_type(outcome.op_class)},
         {"process", process},
         {"f", f},
         {"key", key},
         {"node", node},
         {"time_ms", round3(time_ms)},
         {"latency_ms", round3(latency_ms)},
         {"outcome", model::op_class_name(outcome.op_class)},
         {"status", outcome.status},
         {"reply", reply ? *reply : json(nullptr)}};
  if (siblings >= 0) e["siblings"] = siblings;
  return e;
}

json nemesis_event(const std::string& f, const std::string& value, double time_ms) {
  json e{{"type", "info"}, {"process", "nemesis"}, {"f", f}, {"time_ms", round3(time_ms)}};
  if (!value.empty()) e["value"] = value;
  return e;
}

std::string history_text(const json& e) {
  char time[32];
  std::snprintf(time, sizeof time, "%12.3f", e.value("time_ms", 0.0));
  std::string out = std::string(time) + " " + padded(e.value("process", "?"), 8) + " " +
                    padded(e.value("type", "?"), 6) + " " + padded(e.value("f", "?"), 10);
  if (e.value("process", "") == "nemesis") {
    if (e.contains("value")) out += " " + (e["value"].is_string() ? e["value"].get<std::string>() : dump(e["value"]));
    return out;
  }
  out += " key " + dump(e.value("key", json())) + " ";
  const std::string type = e.value("type", "");
  if (type == "invoke") {
    const json& req = e.contains("request") ? e["request"] : json::object();
    if (req.contains("value")) {
      out += version_text(req) + " ";
    } else if (req.value("type", "") == "kv_delete") {
      out += "~ " + model::clock_text(req.value("clock", json())) + " ";  // a tombstone (§16)
    }
    return out + "at " + e.value("node", "?");
  }
  const json reply = e.contains("reply") ? e["reply"] : json();
  if (reply.is_object() && reply.value("type", "") == "kv_get_ok" && reply.contains("values") &&
      reply["values"].is_array()) {
    const std::size_t n = reply["values"].size();
    out += std::to_string(n) + (n == 1 ? " sibling" : " siblings");
    const char* sep = ": ";
    for (const json& v : reply["values"]) {
      out += sep + version_text(v);
      sep = " | ";
    }
    // Tombstones (§16), after the values: "~ [2, 1]".
    if (reply.contains("deleted") && reply["deleted"].is_array()) {
      out += ", deleted";
      sep = ": ";
      for (const json& c : reply["deleted"]) {
        out += sep + ("~ " + model::clock_text(c));
        sep = " | ";
      }
    }
  } else {
    out += e.value("status", "?");
    if (e.contains("siblings")) out += ", " + dump(e["siblings"]) + " siblings";
    if (reply.is_object() && reply.contains("text")) out += ": " + dump(reply["text"]);
  }
  char latency[48];
  std::snprintf(latency, sizeof latency, " (%.3f ms)", e.value("latency_ms", 0.0));
  return out + latency;
}

std::string json_to_edn(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "nil";
    case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case json::value_t::string: {
      std::string out = "\"";
      for (unsigned char c : v.get_ref<const std::string&>()) {
        switch (c) {
          case '"': out += "\\\""; break;
          case '\\': out += "\\\\"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\t': out += "\\t"; break;
          default:
            if (c < 0x20) {
              char u[8];
              std::snprintf(u, sizeof u, "\\u%04x", c);
              out += u;
            } else {
              out += static_cast<char>(c);
            }
        }
      }
      return out + "\"";
    }
    case json::value_t::array: {
      std::string out = "[";
      for (const json& e : v) out += (out.size() > 1 ? " " : "") + json_to_edn(e);
      return out + "]";
    }
    case json::value_t::object: {
      std::string out = "{";
      for (auto it = v.begin(); it != v.end(); ++it) {
        out += (out.size() > 1 ? ", " : "") + json_to_edn(json(it.key())) + " " + json_to_edn(it.value());
      }
      return out + "}";
    }
    case json::value_t::number_float: {
      const std::string d = v.dump();
      return d.find_first_of(".eE") == std::string::npos ? d + ".0" : d;
    }
    default: return v.dump();  // integers; binary and discarded do not occur
  }
}

std::string history_edn(const json& e, std::uint64_t index) {
  const std::string process = e.value("process", "?");
  const std::string type = e.value("type", "info");
  const std::string f = e.value("f", "?");
  std::string out = "{:type :" + type + ", :f :";
  const long long time_ns = std::llround(e.value("time_ms", 0.0) * 1e6);
  if (process == "nemesis") {
    out += f;
    if (e.contains("value")) out += ", :value " + json_to_edn(e["value"]);
    return out + ", :process :nemesis, :time " + std::to_string(time_ns) + ", :index " + std::to_string(index) + "}";
  }
  out += f == "get" || f == "dvv_get" ? "read" : f == "put" || f == "dvv_update" ? "write" : f;
  const json key = e.value("key", json());
  json value;  // nil: a read's invocation, or a completion that did not say
  if (type == "invoke") {
    const json& req = e.contains("request") ? e["request"] : json::object();
    if (req.is_object() && req.contains("value")) value = req["value"];
  } else {
    const json& reply = e.contains("reply") ? e["reply"] : json();
    if (reply.is_object() && reply.contains("values") && reply["values"].is_array()) {
      value = json::array();
      for (const json& v : reply["values"]) value.push_back(v.is_object() ? v.value("value", json()) : v);
    } else if (e.contains("request_value")) {
      value = e["request_value"];
    }
  }
  out += ", :value " + json_to_edn(json::array({key, value}));
  // Jepsen's processes are integers: "c3" is 3.
  const bool numbered = process.size() > 1 && process[0] == 'c' &&
                        process.find_first_not_of("0123456789", 1) == std::string::npos;
  out += ", :process " + (numbered ? process.substr(1) : json_to_edn(json(process)));
  out += ", :time " + std::to_string(time_ns) + ", :index " + std::to_string(index);
  if (e.contains("node")) out += ", :node " + json_to_edn(e["node"]);
  if (type == "ok") {
    if (e.contains("status")) out += ", :status " + json_to_edn(e["status"]);
  } else if (type != "invoke") {
    out += ", :error " + json_to_edn(e.value("status", json("?")));
  }
  return out + "}";
}

HistoryWriter::HistoryWriter(const std::string& dir) {
  if (dir.empty()) return;
  jsonl_.open(dir + "/history.jsonl");
  txt_.open(dir + "/history.txt");
  edn_.open(dir + "/history.edn");
  txt_ << "#    time_ms process  type   f          details\n";
  open_ = jsonl_.is_open() && txt_.is_open() && edn_.is_open();
}

void HistoryWriter::write(const json& event) {
  if (!open_) return;
  // A write's completion carries its value in history.edn, as Jepsen's checkers expect.
  json e = event;
  const std::string type = e.value("type", "");
  if (e.contains("index") && e["index"].is_number_unsigned()) {
    const auto op = e["index"].get<std::uint64_t>();
    if (type == "invoke") {
      const json& req = e.contains("request") ? e["request"] : json::object();
      if (req.is_object() && req.contains("value")) written_[op] = req["value"];
    } else if (auto it = written_.find(op); it != written_.end()) {
      e["request_value"] = it->second;
      written_.erase(it);
    }
  }
  jsonl_ << dump(event) << '\n';
  txt_ << history_text(event) << '\n';
  edn_ << history_edn(e, events_++) << '\n';
}

void HistoryWriter::close() {
  jsonl_.close();
  txt_.close();
  edn_.close();
  open_ = false;
}

}  // namespace vckv::reports
