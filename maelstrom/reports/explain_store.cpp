#include "reports/explain_store.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "model/clock_text.hpp"
#include "model/workload/operation.hpp"
#include "reports/files/final_state.hpp"
#include "reports/files/net_log.hpp"

namespace vckv::reports {

namespace {

using json = nlohmann::json;

}  // namespace

std::vector<std::string> resurrection_paths(const std::string& net_jsonl, const model::CheckResult& check,
                                            const std::vector<model::WriteRecord>& writes) {
  // (resurrection, node) -> the latest delivery carrying the value.
  std::map<std::pair<std::size_t, std::string>, JournalEntry> last;
  bool any_value = false;
  for (const model::Resurrection& r : check.resurrections) any_value = any_value || !r.version.tombstone;
  if (any_value) {
    std::ifstream in(net_jsonl);
    for (std::string line; std::getline(in, line);) {
      for (std::size_t j = 0; j < check.resurrections.size(); ++j) {
        const model::Resurrection& r = check.resurrections[j];
        if (r.version.tombstone || line.find(r.version.value) == std::string::npos) continue;
        const auto e = parse_journal_line(line, false);
        if (!e || e->fate != Fate::kDelivered) continue;
        if (std::find(r.nodes.begin(), r.nodes.end(), e->to) == r.nodes.end()) continue;
        auto [it, fresh] = last.emplace(std::make_pair(j, e->to), *e);
        if (!fresh && e->at_ms >= it->second.at_ms) it->second = *e;
      }
    }
  }
  std::vector<std::string> out;
  for (std::size_t j = 0; j < check.resurrections.size(); ++j) {
    const model::Resurrection& r = check.resurrections[j];
    const model::WriteRecord& del = writes[r.tombstone];
    const std::string head = "resurrected key " + std::to_string(r.key) + " " + model::version_text(r.version) + " (" +
                             del.client + "'s acknowledged delete " +
                             model::version_text(model::tombstone_version(del.clock)) + " dominates it)";
    for (const std::string& node : r.nodes) {
      std::string how;
      if (r.version.tombstone) {
        how = "a tombstone: no value to find in the network journal";
      } else if (auto it = last.find(std::make_pair(j, node)); it != last.end()) {
        char at[32];
        std::snprintf(at, sizeof at, "%.3f s", it->second.at_ms / 1000);
        how = std::string("last arrived at ") + at + " in " + it->second.type + " from " + it->second.from +
              " (message " + std::to_string(it->second.id) + ")";
      } else {
        how = "no delivered message carried it (the node held it since its own write, or read it from its data directory)";
      }
      out.push_back(head + ": on " + node + ", " + how);
    }
    for (const std::string& hint : r.hinted) out.push_back(head + ": held as a hint on " + hint);
  }
  return out;
}

std::string key_text_from_argument(const std::string& arg) {
  const json j = json::parse(arg, nullptr, false);
  if (!j.is_discarded() && (j.is_number_integer() || j.is_string())) return j.dump();
  return json(arg).dump();
}

std::optional<StoreStories> load_stories(const std::string& dir, const std::set<std::string>& wanted,
                                         std::string& error) {
  StoreStories out;
  {
    std::ifstream r(dir + "/results.json");
    const json results = r ? json::parse(r, nullptr, false) : json();
    if (results.is_object()) {
      out.context.faults = run_view_from_results(results).faults;
      if (results.contains("config") && results["config"].is_object() &&
          results["config"].value("mode", "") != "repl") {
        out.context.client_slots = results["config"].value("concurrency", std::size_t{0});
      }
    }
  }
  auto finals = read_final_state(dir + "/final-state.json", error);
  if (!finals) return std::nullopt;
  std::set<std::string> keys = wanted;
  if (keys.empty()) {
    for (const auto& [key, by_node] : finals->keys) {
      for (const auto& [node, siblings] : by_node) {
        if (siblings.size() > 1) keys.insert(key);
      }
    }
  }
  std::ifstream hist(dir + "/history.jsonl");
  if (!hist) {
    error = "cannot read " + dir + "/history.jsonl";
    return std::nullopt;
  }
  // One pass: invocations and completions of the keys wanted.
  std::map<std::uint64_t, json> invokes;
  std::map<std::uint64_t, ExplainRead> reads;             // completed ok gets, by index
  std::map<std::string, std::vector<std::pair<ExplainWrite, std::optional<std::uint64_t>>>> writes;  // per key
  for (std::string line; std::getline(hist, line);) {
    const json e = json::parse(line, nullptr, false);
    if (!e.is_object() || !e.contains("index") || !e.contains("key")) continue;
    const std::string key = e["key"].dump();
    if (!keys.count(key)) continue;
    const auto index = e["index"].get<std::uint64_t>();
    if (e.value("type", "") == "invoke") {
      invokes[index] = e;
      continue;
    }
    auto it = invokes.find(index);
    if (it == invokes.end()) continue;
    const json inv = std::move(it->second);
    invokes.erase(it);
    const std::string f = inv.value("f", "");
    if (f == "get") {
      if (e.value("outcome", "") != "ok") continue;
      ExplainRead r{inv.value("process", ""), inv.value("node", ""), inv.value("time_ms", 0.0), e.value("time_ms", 0.0),
                    model::parse_values(e.value("reply", json())).value_or(std::vector<model::StoredVersion>{})};
      reads.emplace(index, std::move(r));
      continue;
    }
    const json req = inv.value("request", json::object());
    auto clock = model::clock_from_json(req.value("clock", json()));
    const bool tombstone = f == "delete";
    if (!clock || (!tombstone && !req.contains("value"))) continue;
    ExplainWrite w;
    w.tombstone = tombstone;
    w.client = inv.value("process", "");
    w.f = f;
    w.node = inv.value("node", "");
    w.invoke_ms = inv.value("time_ms", 0.0);
    w.complete_ms = e.value("time_ms", 0.0);
    w.value = tombstone ? std::string() : req["value"].dump();
    w.clock = *clock;
    w.outcome = e.value("outcome", "");
    w.status = e.value("status", "");
    w.blind = inv.value("blind", false);
    std::optional<std::uint64_t> basis;
    if (inv.contains("read_index") && inv["read_index"].is_number_unsigned()) basis = inv["read_index"].get<std::uint64_t>();
    writes[key].emplace_back(std::move(w), basis);
  }
  // Writes whose completion never came (the run stopped): indeterminate.
  for (auto& [index, inv] : invokes) {
    if (inv.value("f", "") == "get") continue;
    const json req = inv.value("request", json::object());
    auto clock = model::clock_from_json(req.value("clock", json()));
    const bool tombstone = inv.value("f", "") == "delete";
    if (!clock || (!tombstone && !req.contains("value"))) continue;
    ExplainWrite w{inv.value("process", ""), inv.value("f", ""), inv.value("node", ""), inv.value("time_ms", 0.0),
                   inv.value("time_ms", 0.0), tombstone ? std::string() : req["value"].dump(), *clock, "indeterminate",
                   "no completion", false, std::nullopt, tombstone};
    writes[inv["key"].dump()].emplace_back(std::move(w), std::nullopt);
  }
  // The stories take what they need by move (a run's history is large, and this runs at its
  // end beside everything else the harness holds): each read goes to the last write that took
  // it as its basis, reads no write took are dropped now, and each key's final state and
  // writes leave their tables as its story is built.
  std::map<std::uint64_t, std::size_t> basis_uses;
  for (const auto& [key, key_writes] : writes) {
    for (const auto& [w, basis] : key_writes) {
      if (basis && reads.count(*basis)) ++basis_uses[*basis];
    }
  }
  for (auto r = reads.begin(); r != reads.end();) r = basis_uses.count(r->first) ? std::next(r) : reads.erase(r);
  std::vector<std::string> ordered(keys.begin(), keys.end());
  std::sort(ordered.begin(), ordered.end(), key_text_less);
  for (const std::string& key : ordered) {
    KeyStory story;
    story.key = key;
    if (auto f = finals->keys.find(key); f != finals->keys.end()) {
      story.final_by_node = std::move(f->second);  // (each key is visited once)
    } else {
      for (const std::string& n : finals->nodes) story.final_by_node[n];  // no node holds the key
    }
    if (auto kw = writes.find(key); kw != writes.end()) {
      story.writes.reserve(kw->second.size());
      for (auto& [w, basis] : kw->second) {
        if (basis) {
          if (auto r = reads.find(*basis); r != reads.end()) {
            if (--basis_uses[*basis] == 0) {
              w.basis = std::move(r->second);
              reads.erase(r);
            } else {
              w.basis = r->second;
            }
          }
        }
        story.writes.push_back(std::move(w));
      }
      writes.erase(kw);
    }
    std::sort(story.writes.begin(), story.writes.end(),
              [](const ExplainWrite& a, const ExplainWrite& b) { return a.invoke_ms < b.invoke_ms; });
    out.stories.push_back(std::move(story));
  }
  return out;
}

}  // namespace vckv::reports
