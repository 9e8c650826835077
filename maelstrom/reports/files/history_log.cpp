#include "reports/files/history_log.hpp"

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
    if (req.contains("value")) out += version_text(req) + " ";
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
  } else {
    out += e.value("status", "?");
    if (e.contains("siblings")) out += ", " + dump(e["siblings"]) + " siblings";
    if (reply.is_object() && reply.contains("text")) out += ": " + dump(reply["text"]);
  }
  char latency[48];
  std::snprintf(latency, sizeof latency, " (%.3f ms)", e.value("latency_ms", 0.0));
  return out + latency;
}

HistoryWriter::HistoryWriter(const std::string& dir) {
  if (dir.empty()) return;
  jsonl_.open(dir + "/history.jsonl");
  txt_.open(dir + "/history.txt");
  txt_ << "#    time_ms process  type   f          details\n";
  open_ = jsonl_.is_open() && txt_.is_open();
}

void HistoryWriter::write(const json& event) {
  if (!open_) return;
  jsonl_ << dump(event) << '\n';
  txt_ << history_text(event) << '\n';
}

void HistoryWriter::close() {
  jsonl_.close();
  txt_.close();
  open_ = false;
}

}  // namespace vckv::reports
