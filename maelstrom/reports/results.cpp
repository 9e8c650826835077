#include "reports/results.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "reports/draw/stats.hpp"
#include "reports/files/format.hpp"
#include "reports/files/run_view.hpp"

namespace vckv::reports {

namespace {

// n1..nN, as the harness names its nodes.
std::vector<std::string> node_names(std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= count; ++i) out.push_back("n" + std::to_string(i));
  return out;
}

using json = nlohmann::json;

std::string num(double x) {
  std::ostringstream s;
  s << round3(x);
  return s.str();
}

json quantiles(const std::vector<double>& samples) {
  return {{"n", samples.size()}, {"p50", round3(quantile(samples, 0.5))}, {"p95", round3(quantile(samples, 0.95))},
          {"p99", round3(quantile(samples, 0.99))},
          {"max", round3(samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end()))}};
}

struct Convergence {
  std::optional<double> converged_after_ms;
  std::optional<double> last_node_message_after_heal_ms;
  bool by_digest = false;  // timed by the digest rounds, else by the probe rounds
  // How far before converged_after_ms the cluster may have converged: back to the start of the
  // round before (or the heal).
  std::optional<double> resolution_ms;
};

Convergence convergence_of(const RunRecord& r) {
  Convergence c;
  const auto& rounds = r.rounds;
  // The final reads (the last probe round) must agree; then the first round of a run of
  // agreeing ones reaching to the end: digest rounds when there are any, else probe rounds.
  const bool final_agrees = !rounds.empty() && rounds.back().complete && rounds.back().disagreeing_keys == 0;
  const auto& digests = r.digest_rounds;
  // A node that answered tree_roots with error 10 ended the digest rounds: the probes time it.
  if (r.final_heal_s && final_agrees && !digests.empty() && r.digest_unsupported.empty()) {
    c.by_digest = true;
    if (digests.back().agree) {
      std::size_t first = digests.size() - 1;
      while (first > 0 && digests[first - 1].agree) --first;
      c.converged_after_ms = round3(std::max(0.0, digests[first].start_s - *r.final_heal_s) * 1000);
      const double before = first > 0 ? digests[first - 1].start_s : *r.final_heal_s;
      c.resolution_ms = round3(std::max(0.0, digests[first].start_s - before) * 1000);
    } else {
      // Agreement came after the last digest round: the final reads' start bounds it.
      c.converged_after_ms = round3((rounds.back().start_s - *r.final_heal_s) * 1000);
      c.resolution_ms = round3((rounds.back().start_s - digests.back().start_s) * 1000);
    }
  } else if (r.final_heal_s && final_agrees) {
    std::size_t first = rounds.size() - 1;
    while (first > 0 && rounds[first - 1].complete && rounds[first - 1].disagreeing_keys == 0) --first;
    c.converged_after_ms = round3((rounds[first].start_s - *r.final_heal_s) * 1000);
  }
  if (r.final_heal_s && r.last_node_delivery_s && *r.last_node_delivery_s >= *r.final_heal_s) {
    c.last_node_message_after_heal_ms = round3((*r.last_node_delivery_s - *r.final_heal_s) * 1000);
  }
  return c;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json digest_rounds_json(const std::vector<DigestRound>& rounds) {
  json out = json::array();
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    if (rounds.size() > 200 && i >= 199 && i + 1 < rounds.size()) continue;
    const DigestRound& d = rounds[i];
    json j = {{"start_s", round3(d.start_s)}, {"end_s", round3(d.end_s)}, {"complete", d.complete}, {"agree", d.agree}};
    if (!d.why.empty()) j["why"] = d.why;
    out.push_back(std::move(j));
  }
  return out;
}

// The probe rounds (the final read last), at most 200: when each started, whether every read
// was answered, and on how many keys the nodes disagreed.
json rounds_json(const std::vector<ProbeRound>& rounds) {
  json out = json::array();
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    if (rounds.size() > 200 && i >= 199 && i + 1 < rounds.size()) continue;
    const ProbeRound& p = rounds[i];
    out.push_back({{"start_s", round3(p.start_s)}, {"end_s", round3(p.end_s)}, {"complete", p.complete},
                   {"disagreeing_keys", p.disagreeing_keys}, {"keys_with_siblings", p.keys_with_siblings}});
  }
  return out;
}

}  // namespace

NodeCpu node_cpu(const RunRecord& r) {
  NodeCpu cpu;
  for (const NodeExit& e : r.exits) {
    cpu.seconds += e.cpu_s;
    ++cpu.processes;
  }
  for (const OpRecord& op : r.ops) {
    if (std::string(model::jepsen_type(op.op_class)) == "ok") ++cpu.ok_ops;
  }
  return cpu;
}

double peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream s(line.substr(6));
      double kb = 0;
      s >> kb;
      return round3(kb / 1024.0);
    }
  }
  return 0;
}

namespace {

// Reaps per node, nodes in the order n1, n2, ..., n10 (unknown names after, by text).
std::vector<std::pair<std::string, std::size_t>> reaps_per_node(const std::vector<ReapRecord>& reaps) {
  std::map<std::string, std::size_t> count;
  for (const ReapRecord& r : reaps) ++count[r.node];
  std::vector<std::pair<std::string, std::size_t>> out(count.begin(), count.end());
  const auto number = [](const std::string& id) {
    return id.size() > 1 && id[0] == 'n' && std::all_of(id.begin() + 1, id.end(), [](char c) { return c >= '0' && c <= '9'; })
               ? std::stoll(id.substr(1))
               : -1;
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    const long long x = number(a.first), y = number(b.first);
    if ((x < 0) != (y < 0)) return y < 0;
    return x != y ? x < y : a.first < b.first;
  });
  return out;
}

}  // namespace

std::string reaps_line(const std::vector<ReapRecord>& reaps) {
  if (reaps.empty()) return "";
  std::size_t notices = 0;
  double first = reaps.front().at_s, last = reaps.front().at_s;
  for (const ReapRecord& r : reaps) {
    notices += r.told_by.empty() ? 0 : 1;
    first = std::min(first, r.at_s);
    last = std::max(last, r.at_s);
  }
  std::string out = "reaps: " + std::to_string(reaps.size()) + " (";
  bool comma = false;
  for (const auto& [node, n] : reaps_per_node(reaps)) {
    out += (comma ? ", " : "") + node + " " + std::to_string(n);
    comma = true;
  }
  return out + "; " + std::to_string(notices) + " on a notice) from " + fixed(first, 1) + " s to " + fixed(last, 1) +
         " s";
}

json reaps_json(const std::vector<ReapRecord>& reaps) {
  json per_node = json::object();
  for (const auto& [node, n] : reaps_per_node(reaps)) per_node[node] = n;
  json list = json::array();
  for (const ReapRecord& r : reaps) {
    json one = {{"time_s", round3(r.at_s)}, {"node", r.node}, {"key", r.key}, {"tombstones", r.clocks}};
    if (!r.told_by.empty()) one["told_by"] = r.told_by;
    list.push_back(std::move(one));
  }
  return {{"count", reaps.size()}, {"per_node", per_node}, {"list", list},
          {"note", "each node's 'reaped key' stderr lines; time_s is when the harness read the line (every 0.1 s)"}};
}

json results_json(const RunRecord& r) {
  const TestConfig& c = r.config;
  json partitions = json::array();
  for (const model::FaultPeriod& f : r.faults) {
    if (f.kind == model::FaultKind::kPartition) {
      partitions.push_back({{"start_s", round3(static_cast<double>(f.start) / 1e6)},
                            {"end_s", round3(static_cast<double>(f.end) / 1e6)}, {"shape", f.partition.name()},
                            {"description", f.partition.description()}});
    }
  }

  std::map<std::string, std::size_t> by_outcome{{"ok", 0}, {"fail", 0}, {"info", 0}};
  std::map<std::string, std::size_t> by_class;
  std::map<std::string, std::map<std::string, std::size_t>> by_status;
  std::map<std::string, std::vector<double>> latencies_by_f;
  std::vector<double> latencies;
  for (const OpRecord& op : r.ops) {
    ++by_outcome[model::jepsen_type(op.op_class)];
    ++by_class[model::op_class_name(op.op_class)];
    ++by_status[op.f][op.status];
    if (op.op_class != model::OpClass::kIndeterminate) {
      latencies.push_back(op.latency_ms);
      latencies_by_f[op.f].push_back(op.latency_ms);
    }
  }
  json latency = quantiles(latencies);
  latency["by_f"] = json::object();
  for (const auto& [f, samples] : latencies_by_f) latency["by_f"][f] = quantiles(samples);
  latency["note"] = "client requests that got a reply (timeouts excluded); client<->node links have no latency";

  const MessageStats& m = r.messages;
  const double msgs_per_op =
      r.workload_requests ? static_cast<double>(m.node_sent()) / static_cast<double>(r.workload_requests) : 0;
  const Convergence conv = convergence_of(r);

  json exits = json::array();
  for (const NodeExit& e : r.exits) exits.push_back({{"node", e.node}, {"how", e.how}, {"cpu_s", round3(e.cpu_s)}});
  const NodeCpu cpu = node_cpu(r);
  json siblings = json::array();
  for (std::size_t i = 0; i < r.keys_with_siblings.size() && i < 100; ++i) {
    siblings.push_back({{"key", json::parse(r.keys_with_siblings[i].key)}, {"siblings", r.keys_with_siblings[i].siblings}});
  }

  std::vector<std::string> reasons;
  if (r.failure) reasons.push_back(r.failure->second);
  if (r.check) reasons.insert(reasons.end(), r.check->reasons.begin(), r.check->reasons.end());

  json results{
      {"test_name", r.test_name},
      {"config",
       {{"bin", c.bin}, {"node_count", c.node_count}, {"time_limit_s", c.time_limit_s}, {"rate", c.rate},
        {"concurrency", c.concurrency}, {"latency_ms", c.latency_ms}, {"latency_dist", model::latency_dist_name(c.latency_dist)},
        {"nemesis", model::fault_list_name(c.faults)}, {"nemesis_interval_s", c.nemesis_interval_s}, {"max_down", c.max_down},
        {"recovery_time_s", c.recovery_time_s}, {"seed", c.seed}, {"node_args", c.node_args}, {"keys", c.keys},
        {"conflict", c.conflict == model::ConflictMode::kLww ? "lww" : "siblings"},
        {"replicas", c.replicas}, {"vnodes", c.vnodes},
        {"timeout_ms", c.timeout_ms}, {"probe_interval_ms", c.probe_interval_ms},
        {"digest_interval_ms", c.digest_interval_ms},
        {"read_concurrency", c.read_concurrency}, {"final_read_attempts", c.final_read_attempts},
        {"clock_slots", "client ci writes clock slot i-1 (c1 slot 0); clocks have concurrency slots"}}},
      {"verdict", model::verdict_name(r.verdict)},
      {"reasons", reasons},
      {"warnings", r.warnings},
      {"ops", {{"total", r.ops.size()}, {"by_outcome", by_outcome}, {"by_class", by_class},
               {"by_f_and_status", by_status}, {"late_replies", r.late_replies}}},
      {"writes", {{"acknowledged", r.acknowledged}, {"rejected", r.rejected}, {"indeterminate", r.indeterminate}}},
      {"latency_ms", latency},
      {"network",
       {{"node_messages_sent", m.node_sent()}, {"delivered", m.node_delivered()},
        {"dropped_by_partitions", m.node_dropped_partition()}, {"dropped_dead_node", m.node_dropped_dead()},
        {"node_bytes_sent", m.node_bytes_sent()}, {"node_bytes_dropped", m.node_bytes_dropped()},
        {"undelivered_at_end", m.node_undelivered()}, {"client_messages_dropped", m.client_dropped()},
        {"by_type", m.to_json()}, {"msgs_per_op", round3(msgs_per_op)},
        {"msgs_per_op_note", "node-to-node messages sent over the whole run (recovery included) / workload client requests"}}},
      {"convergence",
       {{"method", conv.by_digest
                       ? "digest rounds: every node's tree roots (tree_roots) every digest_interval_ms after the final "
                         "heal; converged_after_ms is the start of the first digest round from which all later ones "
                         "agreed, the final reads included"
                       : "probe rounds: every key read from every node every probe_interval_ms after the final heal; "
                         "converged_after_ms is the start of the first round from which all later rounds agreed"},
        {"digest_interval_ms", c.digest_interval_ms}, {"digest_rounds", r.digest_rounds.size()},
        {"digest", digest_rounds_json(r.digest_rounds)},
        {"converged_after_ms", opt(conv.converged_after_ms)},
        {"resolution_ms", opt(conv.resolution_ms)},
        {"last_node_message_after_heal_ms", opt(conv.last_node_message_after_heal_ms)},
        {"probe_rounds", r.rounds.size()}, {"probe_interval_ms", c.probe_interval_ms}, {"rounds", rounds_json(r.rounds)},
        {"final_read_retries", r.final_read_retries}}},
      {"faults", faults_json(r.faults, node_names(r.config.node_count))},
      {"partitions", partitions},
      {"final_state", {{"keys_with_siblings", r.keys_with_siblings.size()}, {"keys_with_siblings_list", siblings},
                       {"explanations", r.explanations}}},
      {"times_s", {{"workload_start", round3(r.workload_start_s)}, {"final_heal", opt(r.final_heal_s)},
                   {"recovery_end", opt(r.recovery_end_s)}, {"end", round3(r.ended_s)}}},
      {"duration_s", round3(r.ended_s)},
      {"node_exits", exits},
      {"node_cpu", {{"seconds", round3(cpu.seconds)}, {"processes", cpu.processes}, {"ok_ops", cpu.ok_ops},
                    {"ms_per_ok_op", cpu.ok_ops ? json(round3(cpu.ms_per_ok_op())) : json(nullptr)},
                    {"note", "user + system CPU time of every node process of the run (killed ones included), "
                             "from wait4 when each ended, over the client operations answered ok"}}},
      {"files", r.files},
      {"notes", r.notes},
      {"harness", {{"peak_rss_mb", r.peak_rss_mb}}},
  };
  if (c.server_clocks) {
    results["config"]["clocks"] = "server";
    results["config"]["blind_writers"] = c.blind_writers;
    if (r.check) {
      results["check"]["dvv"] = {{"reads_checked", r.check->reads_checked},
                                 {"max_read_siblings", r.check->max_read_siblings},
                                 {"duplicate_dots", r.check->duplicate_dots},
                                 {"false_siblings", r.check->false_siblings},
                                 {"several_siblings_per_writer", r.check->writer_siblings}};
    }
  }
  if (c.delete_share > 0 || r.deletes > 0) {
    results["config"]["delete_share"] = c.delete_share;
    results["writes"]["deletes"] = r.deletes;
    results["writes"]["deletes_acknowledged"] = r.deletes_acknowledged;
    if (r.check) {
      const model::CheckResult& k = *r.check;
      results["deletes"] = {{"acknowledged", k.deletes_acknowledged}, {"held_by_every_replica", k.deletes_held},
                            {"reaped", k.deletes_reaped}, {"writes_deleted", k.deleted},
                            {"tombstones_missing", k.tombstones_missing}, {"resurrected", k.resurrected},
                            {"resurrection_paths", r.resurrection_paths}};
    }
  }
  if (!r.reaps.empty()) results["reaps"] = reaps_json(r.reaps);
  if (r.keys_per_node) {
    results["final_state"]["keys_per_node"] = r.keys_per_node->held;
    results["final_state"]["ideal_keys_per_node"] = round3(r.keys_per_node->ideal);
  }
  if (r.check) {
    const model::CheckResult& k = *r.check;
    results["checker"] = {{"keys_checked", k.keys_checked}, {"acknowledged_writes", k.acknowledged},
                          {"survived", k.survived}, {"superseded", k.superseded}, {"lost", k.lost},
                          {"diverged", k.diverged}, {"not_antichain", k.not_antichain}, {"phantom", k.phantom},
                          {"rejected_present", k.rejected_present}, {"multiple_versions", k.multiple_versions},
                          {"lww_discarded", k.lww_discarded}, {"misplaced", k.misplaced},
                          {"hints_left", k.hints_left},
                          {"lww_discarded_percent",
                           k.acknowledged ? round3(100.0 * static_cast<double>(k.lww_discarded) /
                                                   static_cast<double>(k.acknowledged))
                                          : 0.0}};
  }
  return results;
}

void print_summary(const RunRecord& r, std::ostream& out) {
  std::map<std::string, std::size_t> by_type{{"ok", 0}, {"fail", 0}, {"info", 0}};
  std::map<std::string, std::map<std::string, std::size_t>> by_status;
  std::map<std::string, std::vector<double>> lat;
  for (const OpRecord& op : r.ops) {
    ++by_type[model::jepsen_type(op.op_class)];
    ++by_status[op.f][op.status];
    if (op.op_class != model::OpClass::kIndeterminate) lat[op.f].push_back(op.latency_ms);
  }
  out << "\nops: " << r.ops.size() << " (ok " << by_type["ok"] << ", fail " << by_type["fail"] << ", info "
      << by_type["info"] << ")";
  for (const auto& [f, statuses] : by_status) {
    out << "\n  " << f << ":";
    const char* sep = " ";
    for (const auto& [status, n] : statuses) {
      out << sep << status << " " << n;
      sep = ", ";
    }
  }
  if (r.ops.empty() && !r.check) {
    // The run stopped before it had anything to show.
    for (const std::string& w : r.warnings) out << "\nwarning: " << w;
    out << "\nfiles: " << r.dir << "/ (node-logs/ has each node's stderr)\n";
    out << (r.verdict == model::Verdict::kInvalid ? "verdict: INVALID (" : "verdict: unknown (")
        << (r.failure ? r.failure->second : std::string("no final state")) << ")\n";
    out.flush();
    return;
  }
  out << "\nwrites: " << r.acknowledged << " acknowledged, " << r.rejected << " rejected, " << r.indeterminate
      << " indeterminate";
  out << "\nlatency ms (p50 / p99 / max):";
  const char* sep = " ";
  for (const auto& [f, samples] : lat) {
    out << sep << f << " " << num(quantile(samples, 0.5)) << " / " << num(quantile(samples, 0.99)) << " / "
        << num(*std::max_element(samples.begin(), samples.end()));
    sep = "; ";
  }
  const MessageStats& m = r.messages;
  out << "\nnode-to-node messages: " << m.node_sent() << " sent (" << m.node_delivered() << " delivered, "
      << m.node_dropped_partition() << " dropped by partitions, " << m.node_dropped_dead() << " to dead nodes); "
      << num(static_cast<double>(m.node_bytes_sent()) / 1e6) << " MB sent, "
      << num(static_cast<double>(m.node_bytes_dropped()) / 1e6) << " MB of it dropped";
  const json table = m.to_json()["node_to_node"];
  if (!table.empty()) {
    out << "; by type:";
    for (const auto& [type, counts] : table.items()) out << " " << type << " " << counts["sent"].get<std::uint64_t>();
  }
  out << "; msgs-per-op "
      << num(r.workload_requests ? static_cast<double>(m.node_sent()) / static_cast<double>(r.workload_requests) : 0);
  if (const NodeCpu cpu = node_cpu(r); cpu.processes > 0) {
    out << "\nnode CPU: " << num(cpu.seconds) << " s user + system over " << cpu.processes << " processes";
    if (cpu.ok_ops) out << "; " << num(cpu.ms_per_ok_op()) << " ms per ok operation";
  }
  out << "\nfaults: " << r.faults.size();
  for (const model::FaultPeriod& f : r.faults) {
    out << "\n  " << std::fixed << std::setprecision(1) << static_cast<double>(f.start) / 1e6 << "-"
        << static_cast<double>(f.end) / 1e6 << " s  " << f.description();
  }
  out.unsetf(std::ios::floatfield);
  out << std::setprecision(6);
  const Convergence conv = convergence_of(r);
  out << "\nconvergence after the final heal: "
      << (!conv.converged_after_ms ? std::string("not observed")
          : conv.by_digest ? "<= " + num(*conv.converged_after_ms) + " ms (tree roots every " +
                                 num(r.config.digest_interval_ms) + " ms, " + std::to_string(r.digest_rounds.size()) +
                                 " rounds, resolution " + num(conv.resolution_ms.value_or(0)) + " ms)"
                           : "<= " + num(*conv.converged_after_ms) + " ms (probe every " +
                                 num(r.config.probe_interval_ms) + " ms, " + std::to_string(r.rounds.size()) +
                                 " rounds)")
      << "; last node-to-node delivery "
      << (conv.last_node_message_after_heal_ms ? num(*conv.last_node_message_after_heal_ms) + " ms after it"
                                               : std::string("none after it"));
  if (r.check) {
    out << "\nfinal state: " << r.check->keys_checked << " keys, " << r.keys_with_siblings.size()
        << " ended with several siblings";
    for (std::size_t i = 0; i < r.keys_with_siblings.size() && i < 10; ++i) {
      out << (i ? ", " : ": ") << "key " << r.keys_with_siblings[i].key << " (" << r.keys_with_siblings[i].siblings << ")";
    }
    if (r.keys_with_siblings.size() > 10) out << ", ...";
    if (r.keys_per_node) {
      out << "\nkeys per node:";
      for (const auto& [node, n] : r.keys_per_node->held) out << " " << node << " " << n;
      out << " (ideal " << num(r.keys_per_node->ideal) << ": " << r.config.keys << " keys x "
          << (r.config.replicas == 0 || r.config.replicas >= r.config.node_count ? r.config.node_count : r.config.replicas)
          << " replicas / " << r.config.node_count << " nodes)";
    }
    for (const std::string& e : r.explanations) out << "\n  " << e;
    const model::CheckResult& k = *r.check;
    out << "\nchecker: " << k.keys_checked << " keys, " << k.acknowledged << " acknowledged writes: " << k.survived
        << " present everywhere, " << k.superseded << " superseded, " << k.lost << " lost; " << k.diverged
        << " diverged keys; " << k.not_antichain << " non-antichains; " << k.phantom << " phantom; "
        << k.rejected_present << " rejected-but-present";
    if (r.config.replicas != 0 && r.config.replicas < r.config.node_count) {
      out << "; " << k.misplaced << " misplaced (held outside the preference list); " << k.hints_left << " hints left";
    }
    if (r.config.conflict == model::ConflictMode::kLww) {
      out << "; " << k.multiple_versions << " keys with several versions"
          << "\nlww: " << k.lww_discarded << " of " << k.acknowledged << " acknowledged writes ("
          << num(k.acknowledged ? 100.0 * static_cast<double>(k.lww_discarded) / static_cast<double>(k.acknowledged) : 0.0)
          << "%) discarded by last-writer-wins in favour of a concurrent write";
    } else if (r.config.conflict == model::ConflictMode::kDvv) {
      out << "\nserver clocks: " << k.reads_checked << " reads checked, at most " << k.max_read_siblings
          << " versions in one; " << k.duplicate_dots << " duplicate dots; " << k.false_siblings << " false siblings; "
          << k.writer_siblings << " several siblings per writer";
    } else {
      out << "\nlww: 0 acknowledged writes discarded (siblings mode keeps every concurrent write)";
    }
    if (r.deletes > 0 || k.deletes_acknowledged > 0) {
      out << "\ndeletes: " << r.deletes << " sent, " << k.deletes_acknowledged << " acknowledged: " << k.deletes_held
          << " held by every replica, " << k.deletes_reaped << " reaped; " << k.deleted
          << " acknowledged writes deleted; " << k.tombstones_missing << " tombstones missing; " << k.resurrected
          << " resurrected";
    }
    for (const std::string& reason : k.reasons) out << "\n  " << reason;
    for (const std::string& path : r.resurrection_paths) out << "\n  " << path;
  }
  if (!r.reaps.empty()) out << "\n" << reaps_line(r.reaps);
  for (const std::string& w : r.warnings) out << "\nwarning: " << w;
  for (const std::string& n : r.notes) out << "\nnote: " << n;
  out << "\nfiles: " << r.dir << "/";
  for (std::size_t i = 0; i < r.files.size(); ++i) out << (i ? ", " : "") << r.files[i];
  out << "\nharness peak RSS: " << num(r.peak_rss_mb) << " MB";
  out << "\n";
  if (r.verdict == model::Verdict::kValid) {
    out << "verdict: valid\n";
  } else if (r.verdict == model::Verdict::kInvalid) {
    out << "verdict: INVALID ("
        << (r.failure ? r.failure->second : r.check && !r.check->valid() ? r.check->summary() : std::string()) << ")\n";
  } else {
    out << "verdict: unknown (" << (r.failure ? r.failure->second : std::string("no final state")) << ")\n";
  }
  out.flush();
}

}  // namespace vckv::reports
