#include "reports/files/run_view.hpp"

#include "reports/files/format.hpp"

#include <cmath>

namespace vckv::reports {

namespace {

using json = nlohmann::json;

}  // namespace

json faults_json(const std::vector<model::FaultPeriod>& faults, const std::vector<std::string>& node_ids) {
  json out = json::array();
  for (const model::FaultPeriod& f : faults) {
    json j{{"kind", model::fault_kind_name(f.kind)}, {"start_s", round3(static_cast<double>(f.start) / 1e6)},
           {"end_s", round3(static_cast<double>(f.end) / 1e6)}, {"description", f.description()}, {"label", f.label()}};
    if (f.kind == model::FaultKind::kPartition || f.kind == model::FaultKind::kReplicaLoss) {
      j["components"] = f.partition.components();
      // The links cut, either way: what a ring's sides cannot say.
      json cut = json::array();
      for (std::size_t a = 0; a < node_ids.size(); ++a) {
        for (std::size_t b = a + 1; b < node_ids.size(); ++b) {
          if (f.partition.blocks(node_ids[a], node_ids[b]) || f.partition.blocks(node_ids[b], node_ids[a])) {
            cut.push_back({node_ids[a], node_ids[b]});
          }
        }
      }
      if (!node_ids.empty()) j["cut"] = std::move(cut);
    }
    if (f.kind != model::FaultKind::kPartition) j["nodes"] = f.nodes;
    out.push_back(std::move(j));
  }
  return out;
}

RunView run_view_from_results(const json& r) {
  RunView v;
  if (!r.is_object()) return v;
  if (r.contains("faults") && r["faults"].is_array()) {
    for (const json& f : r["faults"]) {
      if (!f.is_object()) continue;
      ViewFault vf;
      vf.kind = f.value("kind", "");
      vf.start_ms = f.value("start_s", 0.0) * 1000;
      vf.end_ms = f.value("end_s", 0.0) * 1000;
      vf.description = f.value("description", "");
      vf.label = f.value("label", vf.kind);
      if (f.contains("nodes") && f["nodes"].is_array()) vf.nodes = f["nodes"].get<std::vector<std::string>>();
      if (f.contains("components") && f["components"].is_array()) {
        vf.components = f["components"].get<std::vector<std::vector<std::string>>>();
      }
      if (f.contains("cut") && f["cut"].is_array()) {
        for (const json& link : f["cut"]) {
          if (link.is_array() && link.size() == 2 && link[0].is_string() && link[1].is_string()) {
            vf.cut.emplace_back(link[0].get<std::string>(), link[1].get<std::string>());
          }
        }
      }
      v.faults.push_back(std::move(vf));
    }
  }
  if (r.contains("reaps") && r["reaps"].is_object() && r["reaps"].contains("list") && r["reaps"]["list"].is_array()) {
    for (const json& one : r["reaps"]["list"]) {
      if (!one.is_object() || !one.contains("time_s") || !one["time_s"].is_number()) continue;
      ViewReap reap;
      reap.at_ms = one["time_s"].get<double>() * 1000;
      reap.node = one.value("node", "");
      auto text = [&](const char* field) -> std::string {
        if (!one.contains(field)) return "";
        return one[field].is_string() ? one[field].get<std::string>() : one[field].dump();
      };
      reap.key = text("key");
      reap.tombstones = text("tombstones");
      v.reaps.push_back(std::move(reap));
    }
  }
  if (r.contains("times_s") && r["times_s"].is_object()) {
    const json& t = r["times_s"];
    if (t.contains("final_heal") && t["final_heal"].is_number()) v.final_heal_ms = t["final_heal"].get<double>() * 1000;
    if (t.contains("recovery_end") && t["recovery_end"].is_number()) {
      v.recovery_end_ms = t["recovery_end"].get<double>() * 1000;
    }
    v.end_ms = t.value("end", 0.0) * 1000;
  }
  return v;
}

std::string run_title(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  const auto last = d.rfind('/');
  if (last == std::string::npos || last == 0) return d;
  const auto before = d.rfind('/', last - 1);
  return d.substr(before == std::string::npos ? 0 : before + 1);
}

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // XML 1.0 forbids most control characters; JSON text escapes them anyway.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace vckv::reports
