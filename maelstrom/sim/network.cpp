#include "sim/network.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "model/net/envelope.hpp"
#include "model/reap_line.hpp"

namespace vckv::sim {

namespace {

// "n3" -> 2 when prefix is 'n' and 1 <= 3 <= count; else -1.
int parse_name(std::string_view name, char prefix, std::size_t count) {
  if (name.size() < 2 || name[0] != prefix || name[1] == '0') return -1;
  std::size_t v = 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || v > 1'000'000) return -1;
    v = v * 10 + static_cast<std::size_t>(name[i] - '0');
  }
  return v >= 1 && v <= count ? static_cast<int>(v - 1) : -1;
}

}  // namespace

Network::Network(World& world)
    : w_(world),
      latency_{model::LatencyDist::kAroundMean, world.cfg.latency},
      client_latency_{model::LatencyDist::kAroundMean,
                      world.cfg.client_latency < 0 ? world.cfg.latency : world.cfg.client_latency},
      link_last_(world.cfg.nodes * world.cfg.nodes, 0),
      blocked_(world.cfg.nodes * world.cfg.nodes, 0),
      slow_(world.cfg.nodes, model::LatencyModel{model::LatencyDist::kAroundMean, 0}) {
  const SimConfig& cfg = world.cfg;
  if (cfg.has(model::FaultKind::kDrop)) faults_.drop_ppm = cfg.drop_ppm;
  if (cfg.has(model::FaultKind::kDuplicate)) faults_.duplicate_ppm = cfg.duplicate_ppm;
  if (cfg.has(model::FaultKind::kReorder)) faults_.reorder_ppm = cfg.reorder_ppm;
  faults_.reorder_max = cfg.reorder_max;
}

model::LinkFaults Network::link_faults() const { return w_.workload ? faults_ : model::LinkFaults{}; }

std::vector<bool> Network::watched_held(std::size_t i) const {
  std::vector<bool> held(w_.watch.size(), false);
  const NodeSlot& s = *w_.nodes[i];
  if (!s.up()) return held;
  const std::vector<std::string> ids = w_.node_ids();
  for (std::size_t j = 0; j < w_.watch.size(); ++j) {
    const World::Watched& watched = w_.watch[j];
    const Siblings siblings = s.node->store().find(std::to_string(watched.key));
    for (std::size_t k = 0; k < siblings.size() && !held[j]; ++k) {
      const model::StoredVersion v = stored_version(siblings[k], ids);
      held[j] = v.tombstone == watched.version.tombstone && v.value == watched.version.value &&
                v.clock.equals(watched.version.clock) && v.dot == watched.version.dot;
    }
  }
  return held;
}

void Network::feed(std::size_t i, const std::string& line, std::optional<std::uint64_t> number) {
  NodeSlot& s = *w_.nodes[i];
  const std::vector<bool> before = w_.watch.empty() ? std::vector<bool>() : watched_held(i);
  s.clock->advance_to(w_.now / 1000);
  s.node->handle_line(line, ++s.lines);
  if (!before.empty()) {
    const std::vector<bool> after = watched_held(i);
    for (std::size_t j = 0; j < after.size(); ++j) {
      if (before[j] || !after[j]) continue;
      const nlohmann::json m = nlohmann::json::parse(line, nullptr, false);
      const bool ok = m.is_object() && m.contains("body") && m["body"].is_object();
      const std::string type = ok ? m["body"].value("type", "?") : "?";
      const std::string src = ok ? m.value("src", "?") : "?";
      std::string how = time_text(w_.now) + " s: ";
      if (type == "init") {
        how += "init, recovered from its data directory at a restart";
      } else {
        how += type + " from " + src + (number ? " (message #" + std::to_string(*number) + ")" : "");
      }
      w_.came_by[{j, i}] = std::move(how);
    }
  }
  s.clock->before_sleep();  // as the real loop does after input: replication flushes here
  flush(i);
}

void Network::flush(std::size_t i) {
  NodeSlot& s = *w_.nodes[i];
  if (s.node && s.node->stopped()) {
    // Its data directory failed it: the binary exits 74 without writing this turn's output.
    s.out.clear();
    if (w_.cfg.io_error_ppm > 0 && s.node->durability().failure().find("Input/output error (simulated)") !=
                                       std::string::npos) {
      s.stopped_by_io = true;  // an injected EIO: its supervisor restarts it (Faults::collect_stopped)
    } else {
      w_.fail(s.id + " stopped: " + s.node->durability().failure());
    }
    return;
  }
  // Reaps the node logged this turn (§16).
  if (!s.log_sink.text.empty()) {
    for (std::size_t start = 0; start < s.log_sink.text.size();) {
      std::size_t end = s.log_sink.text.find('\n', start);
      if (end == std::string::npos) end = s.log_sink.text.size();
      if (const auto r = model::parse_reap_line(std::string_view(s.log_sink.text).substr(start, end - start))) {
        World::Reaps& reaps = w_.reaps[{std::stoll(r->key), r->clocks}];
        if (reaps.nodes++ == 0) reaps.first = w_.now;
        reaps.last = w_.now;
        if (w_.trace) w_.note(s.id + " reaped key " + r->key + " tombstones " + r->clocks +
                              (r->told_by.empty() ? "" : " (told by " + r->told_by + ")"));
      }
      start = end + 1;
    }
    s.log_sink.text.clear();
  }
  // The turn's output waits for its fdatasync (a simulated disk's latency, in virtual time).
  const Micros delay = s.disk && s.node ? s.node->durability().take_sync_latency_us() : 0;
  if (s.out.empty()) return;
  send_delay_ = delay;
  std::string out = std::move(s.out);
  s.out.clear();
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) {
      w_.fail(s.id + " wrote output without a final newline");
      end = out.size();
    }
    route(i, std::string_view(out).substr(start, end - start));
    start = end + 1;
  }
  send_delay_ = 0;
}

void Network::route(std::size_t from, std::string_view line) {
  std::string_view dest, type;
  std::optional<model::EnvelopeHead> head;
  if (!model::fast_envelope_head(line, dest, type)) {
    model::EnvelopeParse parsed = model::parse_envelope(line);
    if (!parsed.head) {
      w_.fail(w_.nodes[from]->id + " wrote a line that is not an envelope (" + parsed.error +
              "): " + std::string(line.substr(0, 200)));
      return;
    }
    head = std::move(parsed.head);
    dest = head->dest;
    type = head->type;
  }
  if (const int n = parse_name(dest, 'n', w_.nodes.size()); n >= 0) {
    send_to_node(from, static_cast<std::size_t>(n), type, line);
  } else if (const int c = parse_name(dest, 'c', w_.cfg.clients); c >= 0) {
    send_client_message(static_cast<int>(from), static_cast<int>(w_.nodes.size()) + c, type, std::string(line));
  } else if (dest != "c0") {
    w_.fail(w_.nodes[from]->id + " sent a message to an unknown destination: " + std::string(line.substr(0, 200)));
  }
}

void Network::send_to_node(std::size_t from, std::size_t to, std::string_view type, std::string_view line) {
  const std::uint64_t id = next_message_id_++;
  SeedStats& stats = w_.stats;
  ++stats.node_messages;
  stats.node_bytes += line.size() + 1;
  if (type == "sync") ++stats.syncs;
  if (w_.trace) w_.note("send #" + std::to_string(id) + " " + w_.nodes[from]->id + "->" + w_.nodes[to]->id + " " + std::string(line));
  const model::LatencyModel& latency = slow_[from].mean > 0 ? slow_[from] : slow_[to].mean > 0 ? slow_[to] : latency_;
  const model::Transit t =
      model::transit(w_.now + send_delay_, latency, link_faults(), link_last_[from * w_.nodes.size() + to], w_.net_rng);
  if (t.lost) {
    ++stats.dropped;
    if (w_.trace) {
      w_.note("drop #" + std::to_string(id) + " " + w_.nodes[from]->id + "->" + w_.nodes[to]->id + " " +
              std::string(type) + " (" + model::drop_reason_name(model::DropReason::kLost) + ")");
    }
    return;
  }
  if (t.copies > 1) ++stats.duplicated;
  for (std::size_t copy = 0; copy < t.copies; ++copy) {
    if (w_.trace) {
      w_.note(std::string(copy ? "duplicate #" : "schedule #") + std::to_string(id) + " " + w_.nodes[from]->id + "->" +
              w_.nodes[to]->id + " " + std::string(type) + " arrives at " + time_text(t.arrive[copy]));
    }
    Event e;
    e.at = t.arrive[copy];
    e.kind = EventKind::kDeliver;
    e.to = static_cast<int>(to);
    e.from = static_cast<int>(from);
    e.aux = id;
    e.incarnation = w_.nodes[from]->incarnation;
    e.type = std::string(type);
    e.line = std::string(line);
    w_.events.push(std::move(e));
  }
}

void Network::send_client_message(int from, int to, std::string_view type, std::string line) {
  const std::uint64_t id = next_message_id_++;
  ++w_.stats.client_messages;
  const Micros at = w_.now + send_delay_ + client_latency_.sample(w_.net_rng);
  if (w_.trace) {
    w_.note("send #" + std::to_string(id) + " " + w_.endpoint_name(from) + "->" + w_.endpoint_name(to) + " " + line +
            " arrives at " + time_text(at));
  }
  Event e;
  e.at = at;
  e.kind = EventKind::kDeliver;
  e.to = to;
  e.from = from;
  e.aux = id;
  if (w_.is_node(from)) e.incarnation = w_.nodes[static_cast<std::size_t>(from)]->incarnation;
  e.type = std::string(type);
  e.line = std::move(line);
  w_.events.push(std::move(e));
}

void Network::slow_links(std::size_t i, Micros mean) { slow_[i].mean = mean; }

bool Network::sender_crashed(const Event& e) const {
  return w_.is_node(e.from) && e.incarnation < w_.nodes[static_cast<std::size_t>(e.from)]->lost_below;
}

void Network::deliver_to_node(std::size_t i, const Event& e) {
  NodeSlot& s = *w_.nodes[i];
  const bool from_node = w_.is_node(e.from);
  const model::ArrivalFate fate =
      model::on_arrival(from_node && sender_crashed(e), !s.up(),
                        from_node && blocked_[static_cast<std::size_t>(e.from) * w_.nodes.size() + i], s.paused);
  switch (fate.arrival) {
    case model::Arrival::kDrop:
      if (from_node) ++w_.stats.dropped;
      if (w_.trace) {
        w_.note("drop #" + std::to_string(e.aux) + " " + w_.endpoint_name(e.from) + "->" + s.id + " " + e.type + " (" +
                model::drop_reason_name(fate.why) + ")");
      }
      return;
    case model::Arrival::kHold:
      if (w_.trace) w_.note("hold #" + std::to_string(e.aux) + " for " + s.id + " (paused)");
      s.inbox.push_back(e.line);
      return;
    case model::Arrival::kDeliver:
      if (w_.trace) w_.note("deliver #" + std::to_string(e.aux) + " " + w_.endpoint_name(e.from) + "->" + s.id + " " + e.type);
      feed(i, e.line, e.aux);
      return;
  }
}

void Network::partition(const model::Partition& p) {
  const std::size_t n = w_.nodes.size();
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) blocked_[a * n + b] = p.blocks(w_.nodes[a]->id, w_.nodes[b]->id);
  }
}

void Network::heal() { std::fill(blocked_.begin(), blocked_.end(), 0); }

}  // namespace vckv::sim
