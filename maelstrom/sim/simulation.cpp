#include "sim/simulation.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "model/check/checker.hpp"
#include "model/clock_text.hpp"
#include "model/faults/fault.hpp"
#include "model/reap_line.hpp"
#include "sim/clients.hpp"
#include "sim/faults.hpp"
#include "sim/holdings.hpp"
#include "sim/losses.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"
#include "vckv/node/command_line.hpp"

namespace vckv::sim {

std::optional<std::vector<model::FaultKind>> parse_faults(const std::string& text, std::string& error) {
  auto kinds = model::parse_fault_list(text, model::every_fault(), true, error);
  if (kinds) {
    // The canonical order: the fault table's.
    const auto& order = model::every_fault();
    std::sort(kinds->begin(), kinds->end(), [&](model::FaultKind a, model::FaultKind b) {
      return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
    });
  }
  return kinds;
}

std::string faults_name(const std::vector<model::FaultKind>& faults) { return model::fault_list_name(faults); }

bool SimConfig::has(model::FaultKind k) const { return std::find(faults.begin(), faults.end(), k) != faults.end(); }

std::optional<Micros> tombstone_grace_from(const std::vector<std::string>& node_args) {
  const std::string grace = "--tombstone-grace-ms";
  std::optional<Micros> out;
  for (std::size_t i = 0; i < node_args.size(); ++i) {
    const std::string& arg = node_args[i];
    std::string text;
    if (arg.rfind(grace + "=", 0) == 0) {
      text = arg.substr(grace.size() + 1);
    } else if (arg == grace && i + 1 < node_args.size()) {
      text = node_args[i + 1];
    } else {
      continue;
    }
    std::size_t used = 0;
    try {
      const long long ms = std::stoll(text, &used);
      out = used == text.size() && ms >= 0 ? std::optional<Micros>(static_cast<Micros>(ms) * 1000) : std::nullopt;
    } catch (const std::exception&) {
      out.reset();
    }
  }
  return out;
}

bool configure(SimConfig& config, std::string& error) {
  const CommandLine cl = read_command_line(config.node_args);
  if (!cl.options) {
    error = "the node refuses --node-arg options";
    std::string text = cl.text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty()) error += ": " + text;
    return false;
  }
  config.node = cl.options->node;
  config.disks = !config.node.durability.data_dir.empty();
  // --tombstone-grace-ms (§16), read here so that the simulator need not know the node's
  // option struct.
  config.tombstone_grace = tombstone_grace_from(config.node_args);
  return true;
}

std::string time_text(Micros t) {
  char buf[40];
  const char* sign = t < 0 ? "-" : "";
  const long long a = t < 0 ? -static_cast<long long>(t) : static_cast<long long>(t);
  std::snprintf(buf, sizeof buf, "%s%lld.%06lld", sign, a / 1'000'000, a % 1'000'000);
  return buf;
}

namespace {

// One seed's run: the parts, and the loop that takes the next thing to happen (a node's timer
// or an event) until the replicas agree after the heal, or the recovery limit passes.
class Simulation {
 public:
  Simulation(const SimConfig& config, std::uint64_t seed, std::string* trace)
      : w_(config, seed, trace), seed_(seed), net_(w_), losses_(w_), faults_(w_, net_, losses_),
        clients_(w_, net_, losses_) {}

  SeedResult run();
  // Watch these versions (a replay explaining resurrections): World::came_by.
  void watch(const model::CheckResult& check);
  void watch(std::vector<World::Watched> versions) { w_.watch = std::move(versions); }
  // Node id -> how it last came to hold watched version j (after run()).
  std::map<std::string, std::string> arrivals(std::size_t j) const {
    std::map<std::string, std::string> out;
    for (const auto& [at, how] : w_.came_by) {
      if (at.first == j) out[w_.nodes[at.second]->id] = how;
    }
    return out;
  }
  // For each watched resurrection and each node holding it, how it came back.
  std::vector<std::string> resurrection_paths(const model::CheckResult& check) const;

 private:
  void dispatch(const Event& e);
  void heal();
  // At the final heal: the latest versions some replica lacks (stats.missing_*).
  void count_missing();
  void check_convergence();
  std::string state_text(std::size_t node) const;
  bool stores_agree() const;
  // With a ring: each key's replicas hold the same versions, and the other nodes none.
  bool replicas_agree() const;
  // With a ring: no node holds a hint (asks every node with local_get); false on a failure.
  bool no_hints_left();
  // No node holds a key whose versions are all tombstones (every deleted key reaped).
  bool all_reaped() const;
  void finish(SeedResult& result);

  World w_;
  std::uint64_t seed_;
  Network net_;
  Losses losses_;
  Faults faults_;
  Clients clients_;
  bool done_ = false;
  // Loop steps other than convergence checks (anything that can change a node or a client),
  // and their count at the last check that found the cluster not yet converged: a check with
  // nothing changed since would find the same, so it only reschedules itself.
  std::uint64_t steps_ = 0;
  std::optional<std::uint64_t> unconverged_at_;
  Micros heal_at_ = 0;
  std::uint64_t bytes_at_heal_ = 0;  // stats.node_bytes then
};

SeedResult Simulation::run() {
  SeedResult result;
  result.seed = seed_;
  const SimConfig& cfg = w_.cfg;
  const std::size_t n = cfg.nodes;
  if (w_.trace) {
    w_.note("seed " + std::to_string(seed_) + ": " + std::to_string(n) + " nodes, " + std::to_string(cfg.clients) +
            " clients, " + std::to_string(cfg.keys) + " keys, faults " + faults_name(cfg.faults) + ", workload " +
            time_text(cfg.time_limit) + " s");
  }
  for (std::size_t i = 0; i < n; ++i) faults_.boot(i);
  faults_.schedule();
  clients_.start_all();
  {
    Event e;
    e.at = cfg.time_limit;
    e.kind = EventKind::kHeal;
    w_.events.push(std::move(e));
  }
  while (!done_) {
    // The next thing to happen: a node's timer or an event, whichever is earlier (a timer first
    // at equal times; nodes in index order).
    Micros timer_at = 0;
    std::optional<std::size_t> timer_node;
    for (std::size_t i = 0; i < n; ++i) {
      const NodeSlot& s = *w_.nodes[i];
      if (!s.up() || s.paused) continue;
      if (const auto due = s.clock->next_due()) {
        const Micros at = *due * 1000;
        if (!timer_node || at < timer_at) {
          timer_at = at;
          timer_node = i;
        }
      }
    }
    if (w_.events.empty() && !timer_node) break;
    ++w_.stats.events;
    ++steps_;
    if (timer_node && (w_.events.empty() || timer_at <= w_.events.next_at())) {
      w_.now = std::max(w_.now, timer_at);
      w_.nodes[*timer_node]->clock->advance_to(timer_at / 1000);
      net_.flush(*timer_node);
      if (w_.cfg.io_error_ppm > 0) faults_.collect_stopped();
      continue;
    }
    const Event e = w_.events.pop();
    if (e.kind == EventKind::kCheck) --steps_;
    w_.now = std::max(w_.now, e.at);
    dispatch(e);
    if (w_.cfg.io_error_ppm > 0) faults_.collect_stopped();
  }
  w_.stats.ended = w_.now;
  finish(result);
  result.stats = w_.stats;
  return result;
}

void Simulation::dispatch(const Event& e) {
  const int n = static_cast<int>(w_.nodes.size());
  switch (e.kind) {
    case EventKind::kDeliver:
      if (e.to >= 0 && e.to < n) {
        net_.deliver_to_node(static_cast<std::size_t>(e.to), e);
      } else if (e.to >= n && net_.sender_crashed(e)) {
        if (w_.trace) {
          w_.note("drop #" + std::to_string(e.aux) + " " + w_.endpoint_name(e.from) + "->" + w_.endpoint_name(e.to) +
                  " " + e.type + " (" + model::drop_reason_name(model::DropReason::kSenderDied) + ")");
        }
      } else if (e.to >= n) {
        if (w_.trace) {
          w_.note("deliver #" + std::to_string(e.aux) + " " + w_.endpoint_name(e.from) + "->" + w_.endpoint_name(e.to) +
                  " " + e.type);
        }
        clients_.on_reply(static_cast<std::size_t>(e.to - n), e);
      }
      break;
    case EventKind::kClientStart:
      clients_.start_op(static_cast<std::size_t>(e.to));
      break;
    case EventKind::kClientTimeout:
      clients_.on_timeout(static_cast<std::size_t>(e.to), e.aux);
      break;
    case EventKind::kFaultBegin:
      faults_.begin_period(e.aux);
      break;
    case EventKind::kFaultEnd:
      faults_.end_period(e.aux);
      break;
    case EventKind::kBounce:
      faults_.bounce(e.aux);
      break;
    case EventKind::kHeal:
      heal();
      break;
    case EventKind::kCheck:
      check_convergence();
      break;
    case EventKind::kRestartStopped:
      faults_.restart_stopped(static_cast<std::size_t>(e.to), e.aux);
      break;
  }
}

void Simulation::heal() {
  if (w_.trace) w_.note("final heal: the workload ends; every fault ends; no more message faults");
  faults_.end_all();
  if (w_.cfg.io_error_ppm > 0) faults_.end_io_errors();
  w_.workload = false;
  heal_at_ = w_.now;
  w_.healed_at = w_.now;
  bytes_at_heal_ = w_.stats.node_bytes;
  count_missing();
  Event e;
  e.at = w_.now;
  e.kind = EventKind::kCheck;
  w_.events.push(std::move(e));
}

// --- convergence ----------------------------------------------------------------------------

void Simulation::count_missing() {
  // Each key's latest versions over every node that is up: those no other version of the key
  // dominates (an older version a replica lacks is no loss: what dominates it replaces it).
  std::map<std::string, std::vector<model::StoredVersion>> latest;
  for (const auto& s : w_.nodes) {
    if (!s->up()) continue;
    s->node->store().for_each([&](std::string_view key, Siblings siblings) {
      std::vector<model::StoredVersion>& versions = latest[std::string(key)];
      for (std::size_t i = 0; i < siblings.size(); ++i) {
        const VersionView v = siblings[i];
        const VectorClock clock = v.clock();
        const bool known = std::any_of(versions.begin(), versions.end(), [&](const model::StoredVersion& o) {
          return o.clock.dominates(clock) || (o.clock.equals(clock) && o.value == v.value);
        });
        if (known) continue;
        versions.erase(std::remove_if(versions.begin(), versions.end(),
                                      [&](const model::StoredVersion& o) { return clock.dominates(o.clock); }),
                       versions.end());
        versions.push_back(model::StoredVersion{std::string(v.value), clock});
      }
    });
  }
  for (const auto& [key, versions] : latest) {
    const std::int64_t k = std::stoll(key);
    for (std::size_t n = 0; n < w_.nodes.size(); ++n) {
      const NodeSlot& s = *w_.nodes[n];
      if (!s.up() || !w_.placement.is_replica(s.id, k)) continue;
      const Siblings held = s.node->store().find(key);
      for (const model::StoredVersion& want : versions) {
        bool has = false;
        for (std::size_t i = 0; i < held.size() && !has; ++i) {
          const VersionView v = held[i];
          const VectorClock clock = v.clock();
          has = clock.dominates(want.clock) || (clock.equals(want.clock) && v.value == want.value);
        }
        if (has) continue;
        ++w_.stats.missing_versions;
        // As a sync's versions carry it: [K,V,[C]] and a separator, the clock without spaces.
        const std::size_t slots = want.clock.size();
        w_.stats.missing_bytes += 4 + key.size() + want.value.size() +
                                  model::clock_text(want.clock).size() - (slots > 1 ? slots - 1 : 0);
      }
    }
  }
}

std::string Simulation::state_text(std::size_t node) const {
  std::vector<std::string> items;
  const std::vector<std::string> ids = w_.node_ids();
  w_.nodes[node]->node->store().for_each([&](std::string_view key, Siblings siblings) {
    std::vector<model::StoredVersion> versions;
    for (std::size_t i = 0; i < siblings.size(); ++i) versions.push_back(stored_version(siblings[i], ids));
    if (!versions.empty()) items.push_back(std::string(key) + "=" + model::canonical_set(versions));
  });
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& item : items) out.append(item).append("\n");
  return out;
}

// An order-independent hash of a store: its hash tree's root when it keeps one, else the same
// sum computed here (a node without replication keeps no tree).
std::uint64_t store_fingerprint(const SiblingStore& store) {
  if (const HashTree* tree = store.hash_tree()) return tree->root();
  std::uint64_t sum = 0;
  store.for_each([&](std::string_view key, Siblings siblings) { sum += key_hash(key, siblings); });
  return sum;
}

bool Simulation::stores_agree() const {
  // A node down (stopped by a disk I/O error, its restart queued) has not converged.
  for (const auto& s : w_.nodes) {
    if (!s->up()) return false;
  }
  if (!w_.placement.every_node()) return replicas_agree();
  // The fingerprints first (cheap); the full text only when they match.
  const std::uint64_t first = store_fingerprint(w_.nodes[0]->node->store());
  for (const auto& s : w_.nodes) {
    if (store_fingerprint(s->node->store()) != first) return false;
  }
  const std::string reference = state_text(0);
  for (std::size_t i = 1; i < w_.nodes.size(); ++i) {
    if (state_text(i) != reference) return false;
  }
  return true;
}

bool Simulation::replicas_agree() const {
  std::vector<std::string> ids;
  for (const auto& s : w_.nodes) ids.push_back(s->id);
  // key -> the canonical set of each replica holding it (a replica holding none is absent).
  std::map<std::int64_t, std::map<std::string, std::string>> sets;
  bool misplaced = false;
  for (const auto& s : w_.nodes) {
    s->node->store().for_each([&](std::string_view key_text, Siblings siblings) {
      if (siblings.size() == 0 || misplaced) return;
      const std::int64_t key = std::stoll(std::string(key_text));
      if (!w_.placement.is_replica(s->id, key)) {
        misplaced = true;
        return;
      }
      std::vector<model::StoredVersion> versions;
      for (std::size_t i = 0; i < siblings.size(); ++i) versions.push_back(stored_version(siblings[i], ids));
      sets[key][s->id] = model::canonical_set(versions);
    });
  }
  if (misplaced) return false;
  for (const auto& [key, by_node] : sets) {
    const std::vector<std::string> replicas = w_.placement.replicas_of(key, ids);
    if (by_node.size() != replicas.size()) return false;
    for (const auto& [node, set] : by_node) {
      if (set != by_node.begin()->second) return false;
    }
  }
  return true;
}

bool Simulation::no_hints_left() {
  // The nodes' own counts first (cheap: this runs at every check until convergence); the
  // protocol's local_get of every key, which the verdict relies on, once they say none.
  for (const auto& s : w_.nodes) {
    if (s->up() && !s->node->hints().empty()) return false;
  }
  const auto hints = all_hints(w_);
  if (!hints) return false;
  for (const auto& [node, by_key] : *hints) {
    if (!by_key.empty()) return false;
  }
  return true;
}

bool Simulation::all_reaped() const {
  for (const auto& s : w_.nodes) {
    if (!s->up()) continue;
    bool tombstones_only = false;
    s->node->store().for_each([&](std::string_view, Siblings siblings) {
      if (tombstones_only || siblings.size() == 0) return;
      bool all = true;
      for (std::size_t i = 0; i < siblings.size() && all; ++i) all = view_is_tombstone(siblings[i]);
      tombstones_only = all;
    });
    if (tombstones_only) return false;
  }
  return true;
}

void Simulation::check_convergence() {
  const bool await_reaps = w_.cfg.await_reaps();
  // Cheapest test first; the local_get of every key (no_hints_left) last.
  const bool unchanged = unconverged_at_ && *unconverged_at_ == steps_;
  if (!unchanged && clients_.idle() && (!await_reaps || all_reaped()) && stores_agree() &&
      (w_.placement.every_node() || no_hints_left())) {
    w_.stats.convergence = w_.now - heal_at_;
    w_.stats.catch_up_bytes = w_.stats.node_bytes - bytes_at_heal_;
    if (w_.trace) {
      w_.note(std::string(await_reaps ? "converged: every store agrees and every deleted key is reaped, "
                                      : "converged: every store agrees, ") +
              time_text(w_.now - heal_at_) + " s after the heal");
    }
    done_ = true;
    return;
  }
  unconverged_at_ = steps_;
  if (!w_.failure.empty()) {
    done_ = true;  // a node broke the protocol (local_get): nothing to wait for
    return;
  }
  if (w_.now - heal_at_ >= w_.cfg.recovery_limit) {
    if (w_.trace) w_.note("not converged " + time_text(w_.cfg.recovery_limit) + " s after the heal: final reads now");
    done_ = true;
    return;
  }
  Event e;
  e.at = w_.now + w_.cfg.convergence_check;
  e.kind = EventKind::kCheck;
  w_.events.push(std::move(e));
}

// --- the verdict --------------------------------------------------------------------------------

void Simulation::finish(SeedResult& result) {
  std::map<std::string, model::NodeState> final_states;
  const std::vector<std::string> ids = w_.node_ids();
  for (const auto& s : w_.nodes) {
    model::NodeState& state = final_states[s->id];
    if (!s->up()) continue;  // down at the end (the recovery limit passed first): it holds nothing
    s->count_process(w_.stats);
    s->node->store().for_each([&](std::string_view key, Siblings siblings) {
      std::vector<model::StoredVersion>& versions = state[std::stoll(std::string(key))];
      for (std::size_t i = 0; i < siblings.size(); ++i) versions.push_back(stored_version(siblings[i], ids));
    });
  }
  model::CheckOptions options;
  options.mode = w_.cfg.node.conflict.mode == ConflictMode::kLww ? model::ConflictMode::kLww
                                                                 : model::ConflictMode::kSiblings;
  if (w_.cfg.server_clocks) {
    options.mode = model::ConflictMode::kDvv;
    options.reads = &w_.reads;
  }
  std::map<std::string, model::NodeHints> hints;
  const bool ring = !w_.placement.every_node();
  if (ring) {
    options.placement = &w_.placement;
    if (auto held = all_hints(w_)) hints = std::move(*held);
  }
  result.check = model::check(w_.writes, final_states, options, hints);
  w_.stats.deletes_acknowledged = result.check.deletes_acknowledged;
  w_.stats.resurrected = result.check.resurrected;
  for (const auto& [what, reaps] : w_.reaps) {
    ++w_.stats.reaped_keys;
    w_.stats.reaps += reaps.nodes;
    Micros newest = -1;
    for (const std::vector<std::uint64_t>& clock : model::reap_clocks(what.second)) {
      const auto it = w_.delete_invoked.find({what.first, clock});
      if (it != w_.delete_invoked.end()) newest = std::max(newest, it->second);
    }
    if (newest >= 0) w_.stats.reap_delays.push_back(reaps.last - newest);
    if (newest >= 0 && w_.healed_at >= 0 && reaps.last >= w_.healed_at) {
      w_.stats.reap_delays_after_heal.push_back(reaps.last - std::max(newest, w_.healed_at));
    }
  }
  w_.stats.dvv_reads = w_.reads.size();
  for (const model::ReadRecord& read : w_.reads) w_.stats.read_versions += read.versions.size();
  w_.stats.duplicate_dots = result.check.duplicate_dots;
  w_.stats.false_siblings = result.check.false_siblings;
  w_.stats.writer_siblings = result.check.writer_siblings;
  const std::string& failure = w_.failure;
  result.valid = result.check.valid() && failure.empty();
  if (!failure.empty()) {
    result.reason = failure;
  } else if (!result.check.valid()) {
    result.reason = result.check.summary();
    if (!result.check.reasons.empty()) result.reason += ": " + result.check.reasons.front();
  }
  const bool only_losses = failure.empty() && result.check.lost > 0 && result.check.diverged == 0 &&
                           result.check.not_antichain == 0 && result.check.phantom == 0 &&
                           result.check.rejected_present == 0 && result.check.multiple_versions == 0 &&
                           result.check.misplaced == 0 && result.check.hints_left == 0;
  if (!result.check.lost_writes.empty()) losses_.explain(result);
  if (!only_losses) result.explained = false;
  if (w_.trace) {
    std::string* trace = w_.trace;
    // Each distinct store once, under the nodes that hold it (all of them, once converged).
    w_.note("final states:");
    std::vector<std::pair<std::string, std::vector<std::string>>> stores;  // text, nodes
    for (std::size_t i = 0; i < w_.nodes.size(); ++i) {
      std::string text = state_text(i);
      auto same = std::find_if(stores.begin(), stores.end(), [&](const auto& s) { return s.first == text; });
      if (same == stores.end()) {
        stores.emplace_back(std::move(text), std::vector<std::string>{w_.nodes[i]->id});
      } else {
        same->second.push_back(w_.nodes[i]->id);
      }
    }
    for (const auto& [text, holders] : stores) {
      trace->append(" ");
      for (const std::string& n : holders) trace->append(" ").append(n);
      trace->append(holders.size() == w_.nodes.size() && holders.size() > 1 ? " (every node, the same store):\n"
                                                                             : ":\n");
      for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = text.find('\n', start);
        trace->append("    ").append(text, start, end - start + 1);
        start = end + 1;
      }
    }
    if (ring) {
      // Where each key lives, what each node holds as hints, and keys per node.
      w_.note("ring: --replicas " + std::to_string(w_.cfg.node.replicas) + ", --vnodes " +
              std::to_string(w_.cfg.node.vnodes));
      for (std::size_t k = 0; k < w_.cfg.keys; ++k) {
        trace->append("  key ").append(std::to_string(k)).append(": ")
            .append(w_.placement.preference_text(static_cast<std::int64_t>(k))).append("\n");
      }
      for (const auto& [node, by_key] : hints) {
        for (const auto& [key, held] : by_key) {
          for (const model::HeldHint& h : held) {
            trace->append("  hint on ").append(node).append(" for ").append(h.for_node).append(": key ")
                .append(std::to_string(key)).append(" ").append(h.version.value).append("@")
                .append(model::clock_text(h.version.clock)).append("\n");
          }
        }
      }
      const model::KeysPerNode held = model::keys_per_node(final_states, w_.cfg.keys, w_.placement, ids);
      std::string line = "keys per node:";
      for (const auto& [node, n] : held.held) line += " " + node + " " + std::to_string(n);
      char ideal[64];
      std::snprintf(ideal, sizeof ideal, " (ideal %.2f)", held.ideal);
      w_.note(line + ideal);
    }
    const model::CheckResult& r = result.check;
    w_.note("checker: " + std::string(result.valid ? "valid" : "INVALID") + "; " + std::to_string(r.keys_checked) +
            " keys, " + std::to_string(r.acknowledged) + " acknowledged writes: " + std::to_string(r.survived) +
            " present everywhere, " + std::to_string(r.superseded) + " superseded, " + std::to_string(r.lww_discarded) +
            " discarded by lww, " + std::to_string(r.lost) + " lost; diverged " + std::to_string(r.diverged) +
            ", not antichains " + std::to_string(r.not_antichain) + ", phantoms " + std::to_string(r.phantom) +
            ", rejected but present " + std::to_string(r.rejected_present) + ", several versions in lww " +
            std::to_string(r.multiple_versions) +
            (ring ? ", misplaced " + std::to_string(r.misplaced) + ", hints left " + std::to_string(r.hints_left)
                  : std::string()) +
            (w_.stats.deletes == 0
                 ? std::string()
                 : "; " + std::to_string(r.deletes_acknowledged) + " acknowledged deletes: " +
                       std::to_string(r.deletes_held) + " held by every replica, " + std::to_string(r.deletes_reaped) +
                       " reaped; " + std::to_string(r.deleted) + " writes deleted, tombstones missing " +
                       std::to_string(r.tombstones_missing) + ", resurrected " + std::to_string(r.resurrected)));
    if (!failure.empty()) w_.note("checker: run failure: " + failure);
    for (const std::string& reason : r.reasons) w_.note("checker: " + reason);
    for (const std::string& e : result.explanations) w_.note("checker: " + e);
  }
}

}  // namespace

void Simulation::watch(const model::CheckResult& check) {
  for (const model::Resurrection& r : check.resurrections) w_.watch.push_back(World::Watched{r.key, r.version});
}

std::vector<std::string> Simulation::resurrection_paths(const model::CheckResult& check) const {
  std::vector<std::string> out;
  for (std::size_t j = 0; j < check.resurrections.size(); ++j) {
    const model::Resurrection& r = check.resurrections[j];
    const model::WriteRecord& del = w_.writes[r.tombstone];
    const std::optional<Micros> acked = losses_.acknowledged_at(r.tombstone);
    const std::string head = "resurrected key " + std::to_string(r.key) + " " + model::version_text(r.version) +
                             " (" + del.client + "'s delete " + model::version_text(model::tombstone_version(del.clock)) +
                             " dominates it, acknowledged" + (acked ? " at " + time_text(*acked) + " s" : "") + ")";
    for (const std::string& node : r.nodes) {
      std::size_t i = 0;
      while (i < w_.nodes.size() && w_.nodes[i]->id != node) ++i;
      auto it = w_.came_by.find({j, i});
      out.push_back(head + ": on " + node + ", " +
                    (it == w_.came_by.end() ? std::string("no delivery gave it to the node (held since before the replay "
                                                          "could see, or through a timer)")
                                            : "last arrived at " + it->second));
    }
    for (const std::string& hint : r.hinted) out.push_back(head + ": held as a hint on " + hint);
  }
  return out;
}

std::vector<std::map<std::string, std::string>> watch_arrivals(
    const SimConfig& config, std::uint64_t seed, const std::vector<std::pair<std::int64_t, model::StoredVersion>>& versions) {
  std::vector<World::Watched> watched;
  for (const auto& [key, v] : versions) watched.push_back(World::Watched{key, v});
  Simulation replay(config, seed, nullptr);
  replay.watch(std::move(watched));
  (void)replay.run();
  std::vector<std::map<std::string, std::string>> out;
  for (std::size_t j = 0; j < versions.size(); ++j) out.push_back(replay.arrivals(j));
  return out;
}

SeedResult run_seed(const SimConfig& config, std::uint64_t seed, std::string* trace) {
  SeedResult result;
  {
    Simulation sim(config, seed, trace);
    result = sim.run();
  }
  if (!result.check.resurrections.empty()) {
    // The run is deterministic: replay it watching the resurrected versions arrive.
    Simulation replay(config, seed, nullptr);
    replay.watch(result.check);
    (void)replay.run();
    result.resurrections = replay.resurrection_paths(result.check);
    if (trace) {
      for (const std::string& line : result.resurrections) {
        trace->append("[").append(time_text(result.stats.ended)).append("] checker: ").append(line).append("\n");
      }
    }
  }
  return result;
}

}  // namespace vckv::sim
