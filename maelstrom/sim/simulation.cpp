#include "simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "clock_text.hpp"
#include "envelope.hpp"
#include "network.hpp"
#include "outcome.hpp"
#include "rng.hpp"
#include "sweep.hpp"
#include "vckv/node/command_line.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "workload.hpp"

namespace vckv::sim {

namespace {

using json = nlohmann::json;
using harness::StoredVersion;
using harness::WriteOutcome;
using harness::WriteRecord;

constexpr const char* kFaultNames[] = {"partition", "kill", "pause", "drop", "duplicate", "reorder"};

bool* fault_flag(FaultSet& f, std::size_t i) {
  bool* flags[] = {&f.partition, &f.kill, &f.pause, &f.drop, &f.duplicate, &f.reorder};
  return flags[i];
}

}  // namespace

std::optional<FaultSet> parse_faults(const std::string& text, std::string& error) {
  FaultSet faults;
  if (text == "none") return faults;
  if (text == "all") {
    for (std::size_t i = 0; i < 6; ++i) *fault_flag(faults, i) = true;
    return faults;
  }
  std::stringstream items(text);
  bool any = false;
  for (std::string item; std::getline(items, item, ',');) {
    std::size_t i = 0;
    while (i < 6 && item != kFaultNames[i]) ++i;
    if (i == 6) {
      error = "unknown fault \"" + item +
              "\" (expected a comma-separated list of partition, kill, pause, drop, duplicate, "
              "reorder; or all, or none)";
      return std::nullopt;
    }
    if (*fault_flag(faults, i)) {
      error = "fault \"" + item + "\" listed twice";
      return std::nullopt;
    }
    *fault_flag(faults, i) = true;
    any = true;
  }
  if (!any || text.back() == ',') {
    error = "empty fault in \"" + text + "\"";
    return std::nullopt;
  }
  return faults;
}

std::string faults_name(const FaultSet& faults) {
  std::string out;
  FaultSet copy = faults;
  for (std::size_t i = 0; i < 6; ++i) {
    if (*fault_flag(copy, i)) out += (out.empty() ? "" : ",") + std::string(kFaultNames[i]);
  }
  return out.empty() ? "none" : out;
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

// Where a message goes: a node (0..N-1), a client (N..N+C-1), or the simulator itself (init).
constexpr int kSimulator = -1;

enum class EventKind : std::uint8_t {
  kDeliver,        // a message arrives at `to` (from `from`)
  kClientStart,    // client `to` starts its next operation
  kClientTimeout,  // client `to`'s operation number aux gets no answer in time
  kFaultBegin,     // period aux begins
  kFaultEnd,       // ... ends: heal, restart, resume
  kHeal,           // the workload ends: every fault heals, the recovery begins
  kCheck,          // recovery: do the replicas agree yet?
};

struct Event {
  Micros at = 0;
  std::uint64_t seq = 0;  // ties at equal times go in the order events were made
  EventKind kind = EventKind::kDeliver;
  int to = 0;
  int from = 0;
  std::uint64_t aux = 0;  // message id, operation number, period index
  std::uint32_t incarnation = 0;  // a message's sender's incarnation when it was sent
  std::string type;       // a message's body.type
  std::string line;       // a message's envelope
};

struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }
};

struct NodeSlot {
  std::string id;
  // The node holds references to clock and out: it is destroyed first (see kill).
  std::unique_ptr<ManualScheduler> clock;
  std::string out;
  std::unique_ptr<Node> node;
  bool paused = false;
  std::vector<std::string> inbox;  // what arrived while paused, in order
  std::uint64_t lines = 0;
  std::uint32_t incarnation = 0;  // one more at every kill
  bool up() const { return node != nullptr; }
};

enum class PeriodKind { kPartition, kKill, kPause };

struct Period {
  Micros start = 0, end = 0;
  PeriodKind kind = PeriodKind::kPartition;
  harness::Partition partition;
  int node = 0;  // kill, pause
};

struct Client {
  Client(std::size_t index, std::size_t slots) : model(index, slots) {}
  harness::ClientModel model;
  bool busy = false;
  std::uint64_t op = 0;  // the operation under way (for its timeout event)
  std::uint64_t next_msg_id = 1;
  // The operation under way.
  std::string f;  // get, put, resolve
  std::int64_t key = 0;
  int node = 0;
  std::uint64_t msg_id = 0;
  Micros invoked = 0;
  std::optional<std::size_t> write;
  // The read a write follows.
  std::optional<std::int64_t> read_key;
  int read_node = 0;
  std::vector<VectorClock> read_clocks;
};

// What the simulator knows of a write beyond the checker's record.
struct WriteFate {
  int node = 0;                     // the node the client sent it to
  std::optional<Micros> acked_at;   // when the acknowledgement reached the client
  std::uint32_t seen_holders = 0;   // nodes seen holding it (or a version dominating it) at kills
  std::optional<std::pair<int, Micros>> last_holder_killed;  // the only holder, killed then
};

// The node writes its envelopes byte-exactly (PROTOCOL §2): {"src": "n1", "dest": "n2", "body":
// {"type": "sync", ... . Reads dest and type without a JSON parser; false when the line is not
// in that form (the caller then parses it properly).
bool fast_head(std::string_view line, std::string_view& dest, std::string_view& type) {
  static constexpr std::string_view kDest = "\"dest\": \"";
  static constexpr std::string_view kType = "\"body\": {\"type\": \"";
  std::size_t d = line.find(kDest);
  if (d == std::string_view::npos) return false;
  d += kDest.size();
  const std::size_t d_end = line.find('"', d);
  if (d_end == std::string_view::npos) return false;
  std::size_t t = line.find(kType, d_end);
  if (t == std::string_view::npos) return false;
  t += kType.size();
  const std::size_t t_end = line.find('"', t);
  if (t_end == std::string_view::npos) return false;
  dest = line.substr(d, d_end - d);
  type = line.substr(t, t_end - t);
  return dest.find('\\') == std::string_view::npos && type.find('\\') == std::string_view::npos;
}

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

class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

class Simulation {
 public:
  Simulation(const SimConfig& config, std::uint64_t seed, std::string* trace)
      : cfg_(config),
        seed_(seed),
        trace_(trace),
        net_rng_(seed, 1),
        fault_rng_(seed, 2),
        client_rng_(seed, 3),
        null_stream_(&null_buffer_),
        log_(null_stream_, LogLevel::kError) {}

  SeedResult run();

 private:
  Micros now() const { return now_; }
  void note(const std::string& text) {
    trace_->append("[").append(time_text(now_)).append("] ").append(text).append("\n");
  }
  void push(Event e) {
    e.seq = next_seq_++;
    queue_.push_back(std::move(e));
    std::push_heap(queue_.begin(), queue_.end(), Later{});
  }
  Event pop() {
    std::pop_heap(queue_.begin(), queue_.end(), Later{});
    Event e = std::move(queue_.back());
    queue_.pop_back();
    return e;
  }
  void fail(const std::string& why) {
    if (failure_.empty()) failure_ = why;
    if (trace_) note("FAILURE " + why);
  }
  std::string endpoint_name(int e) const {
    if (e == kSimulator) return "c0";
    if (e < static_cast<int>(nodes_.size())) return nodes_[static_cast<std::size_t>(e)]->id;
    return clients_[static_cast<std::size_t>(e) - nodes_.size()]->model.name();
  }
  Micros latency() { return net_rng_.between(cfg_.latency / 2, cfg_.latency + cfg_.latency / 2); }
  Micros client_latency() {
    const Micros l = cfg_.client_latency < 0 ? cfg_.latency : cfg_.client_latency;
    return net_rng_.between(l / 2, l + l / 2);
  }
  bool workload() const { return phase_ == Phase::kWorkload; }
  // A message from a node that was killed after sending it, when kills lose what is in flight.
  bool sender_crashed(const Event& e) const {
    return cfg_.kill_loses_in_flight && e.from >= 0 && e.from < static_cast<int>(nodes_.size()) &&
           nodes_[static_cast<std::size_t>(e.from)]->incarnation != e.incarnation;
  }

  void start_node(std::size_t i);
  void kill_node(std::size_t i);
  void resume_node(std::size_t i);
  void deliver_to_node(std::size_t i, const Event& e);
  void handle_node_line(std::size_t i, const std::string& line);
  void collect_output(std::size_t i);
  void route(std::size_t from, std::string_view line);
  void send_to_node(std::size_t from, std::size_t to, std::string_view type, std::string_view line);
  void send_client_message(int from, int to, std::string_view type, std::string line);

  void make_schedule();
  void begin_period(std::size_t p);
  void end_period(std::size_t p);
  void heal();
  void check_convergence();

  void start_op(std::size_t c);
  void on_reply(std::size_t c, const Event& e);
  void complete_op(std::size_t c, const harness::Classified& cls, const std::string& detail);

  bool holds(std::size_t node, const WriteRecord& w) const;
  void note_holders_before_kill(std::size_t dying);
  std::string state_text(std::size_t node) const;
  bool stores_agree() const;
  void finish(SeedResult& result);
  void explain_losses(SeedResult& result);

  enum class Phase { kWorkload, kRecovery, kDone };

  const SimConfig& cfg_;
  std::uint64_t seed_;
  std::string* trace_;
  SimRng net_rng_, fault_rng_, client_rng_;
  NullBuffer null_buffer_;
  std::ostream null_stream_;
  Logger log_;
  Micros now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_message_id_ = 0;
  std::vector<Event> queue_;
  std::vector<std::unique_ptr<NodeSlot>> nodes_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<Micros> link_last_;  // per (from, to): the latest delivery time, for FIFO links
  std::vector<char> blocked_;      // per (from, to): cut by the partition now
  std::vector<Period> schedule_;
  std::optional<std::size_t> active_;
  Phase phase_ = Phase::kWorkload;
  Micros heal_at_ = 0;
  std::uint64_t op_counter_ = 0;
  Micros mean_gap_ = 0;
  std::vector<WriteRecord> writes_;
  std::vector<WriteFate> fates_;
  std::string failure_;  // a protocol violation seen during the run
  SeedStats stats_;
};

void Simulation::start_node(std::size_t i) {
  NodeSlot& s = *nodes_[i];
  s.clock = std::make_unique<ManualScheduler>(now_ / 1000);
  s.out.clear();
  s.inbox.clear();
  s.paused = false;
  s.lines = 0;
  NodeOptions options = cfg_.node;
  options.incarnation = SimRng(seed_, 4 + i * 1000003 + s.incarnation).next();  // new at each start
  s.node = std::make_unique<Node>(options, s.out, *s.clock, log_);
  std::string init = "{\"src\": \"c0\", \"dest\": \"" + s.id +
                     "\", \"body\": {\"type\": \"init\", \"msg_id\": 1, \"node_id\": \"" + s.id +
                     "\", \"node_ids\": [";
  for (std::size_t j = 0; j < nodes_.size(); ++j) init += (j ? ", \"" : "\"") + nodes_[j]->id + "\"";
  init += "]}}";
  handle_node_line(i, init);
}

void Simulation::kill_node(std::size_t i) {
  note_holders_before_kill(i);
  NodeSlot& s = *nodes_[i];
  ++s.incarnation;
  s.node.reset();
  s.clock.reset();
  s.out.clear();
  s.inbox.clear();
  s.paused = false;
}

void Simulation::resume_node(std::size_t i) {
  NodeSlot& s = *nodes_[i];
  s.paused = false;
  // The timers that fell due while it was stopped run now, then the input that waited.
  s.clock->advance_to(now_ / 1000);
  collect_output(i);
  std::vector<std::string> inbox = std::move(s.inbox);
  s.inbox.clear();
  for (const std::string& line : inbox) {
    if (!s.up() || s.paused) break;
    handle_node_line(i, line);
  }
}

void Simulation::handle_node_line(std::size_t i, const std::string& line) {
  NodeSlot& s = *nodes_[i];
  s.clock->advance_to(now_ / 1000);
  s.node->handle_line(line, ++s.lines);
  s.clock->before_sleep();  // as the real loop does after input: replication flushes here
  collect_output(i);
}

void Simulation::collect_output(std::size_t i) {
  NodeSlot& s = *nodes_[i];
  if (s.out.empty()) return;
  std::string out = std::move(s.out);
  s.out.clear();
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) {
      fail(s.id + " wrote output without a final newline");
      end = out.size();
    }
    route(i, std::string_view(out).substr(start, end - start));
    start = end + 1;
  }
}

void Simulation::route(std::size_t from, std::string_view line) {
  std::string_view dest, type;
  std::optional<harness::EnvelopeHead> head;
  if (!fast_head(line, dest, type)) {
    harness::EnvelopeParse parsed = harness::parse_envelope(line);
    if (!parsed.head) {
      fail(nodes_[from]->id + " wrote a line that is not an envelope (" + parsed.error +
           "): " + std::string(line.substr(0, 200)));
      return;
    }
    head = std::move(parsed.head);
    dest = head->dest;
    type = head->type;
  }
  if (const int n = parse_name(dest, 'n', nodes_.size()); n >= 0) {
    send_to_node(from, static_cast<std::size_t>(n), type, line);
  } else if (const int c = parse_name(dest, 'c', clients_.size()); c >= 0) {
    send_client_message(static_cast<int>(from), static_cast<int>(nodes_.size()) + c, type, std::string(line));
  } else if (dest != "c0") {
    fail(nodes_[from]->id + " sent a message to an unknown destination: " + std::string(line.substr(0, 200)));
  }
}

void Simulation::send_to_node(std::size_t from, std::size_t to, std::string_view type, std::string_view line) {
  const std::uint64_t id = next_message_id_++;
  ++stats_.node_messages;
  stats_.node_bytes += line.size() + 1;
  if (type == "sync") ++stats_.syncs;
  if (trace_) note("send #" + std::to_string(id) + " " + nodes_[from]->id + "->" + nodes_[to]->id + " " + std::string(line));
  if (workload() && cfg_.faults.drop && net_rng_.chance(cfg_.drop_ppm)) {
    ++stats_.dropped;
    if (trace_) note("drop #" + std::to_string(id) + " (lost by the network)");
    return;
  }
  int copies = 1;
  if (workload() && cfg_.faults.duplicate && net_rng_.chance(cfg_.duplicate_ppm)) {
    copies = 2;
    ++stats_.duplicated;
  }
  for (int copy = 0; copy < copies; ++copy) {
    Micros at = now_ + latency();
    Micros& last = link_last_[from * nodes_.size() + to];
    if (workload() && cfg_.faults.reorder && net_rng_.chance(cfg_.reorder_ppm)) {
      at += net_rng_.between(0, cfg_.reorder_max);  // may overtake what the link carries
    } else {
      at = std::max(at, last);  // links are FIFO unless reordered
      last = at;
    }
    if (trace_) {
      note(std::string(copy ? "duplicate #" : "schedule #") + std::to_string(id) + " arrives at " + time_text(at));
    }
    Event e;
    e.at = at;
    e.kind = EventKind::kDeliver;
    e.to = static_cast<int>(to);
    e.from = static_cast<int>(from);
    e.aux = id;
    e.incarnation = nodes_[from]->incarnation;
    e.type = std::string(type);
    e.line = std::string(line);
    push(std::move(e));
  }
}

void Simulation::send_client_message(int from, int to, std::string_view type, std::string line) {
  const std::uint64_t id = next_message_id_++;
  ++stats_.client_messages;
  const Micros at = now_ + client_latency();
  if (trace_) {
    note("send #" + std::to_string(id) + " " + endpoint_name(from) + "->" + endpoint_name(to) + " " + line +
         " arrives at " + time_text(at));
  }
  Event e;
  e.at = at;
  e.kind = EventKind::kDeliver;
  e.to = to;
  e.from = from;
  e.aux = id;
  if (from >= 0 && from < static_cast<int>(nodes_.size())) e.incarnation = nodes_[static_cast<std::size_t>(from)]->incarnation;
  e.type = std::string(type);
  e.line = std::move(line);
  push(std::move(e));
}

void Simulation::deliver_to_node(std::size_t i, const Event& e) {
  NodeSlot& s = *nodes_[i];
  const bool from_node = e.from >= 0 && e.from < static_cast<int>(nodes_.size());
  auto drop = [&](const char* why) {
    if (from_node) ++stats_.dropped;
    if (trace_) note("drop #" + std::to_string(e.aux) + " " + endpoint_name(e.from) + "->" + s.id + " " + e.type + " (" + why + ")");
  };
  if (from_node && sender_crashed(e)) return drop("its sender was killed before it arrived");
  if (!s.up()) return drop("dead node");
  if (from_node && blocked_[static_cast<std::size_t>(e.from) * nodes_.size() + i]) return drop("partition");
  if (s.paused) {
    if (trace_) note("hold #" + std::to_string(e.aux) + " for " + s.id + " (paused)");
    s.inbox.push_back(e.line);
    return;
  }
  if (trace_) note("deliver #" + std::to_string(e.aux) + " " + endpoint_name(e.from) + "->" + s.id + " " + e.type);
  handle_node_line(i, e.line);
}

// --- faults ---------------------------------------------------------------------------------

void Simulation::make_schedule() {
  std::vector<PeriodKind> kinds;
  std::vector<std::string> shapes;
  const std::size_t n = nodes_.size();
  for (const char* shape : {"isolated", "halves", "majorities-ring"}) {
    if (n < 2 || (std::string(shape) == "majorities-ring" && n <= 3)) continue;  // cuts nothing
    if (cfg_.partition_shapes.empty() ||
        std::find(cfg_.partition_shapes.begin(), cfg_.partition_shapes.end(), shape) != cfg_.partition_shapes.end()) {
      shapes.push_back(shape);
    }
  }
  if (cfg_.faults.partition && !shapes.empty()) kinds.push_back(PeriodKind::kPartition);
  if (cfg_.faults.kill) kinds.push_back(PeriodKind::kKill);
  if (cfg_.faults.pause) kinds.push_back(PeriodKind::kPause);
  if (kinds.empty() || cfg_.fault_interval <= 0) return;
  std::size_t turn = fault_rng_.below(kinds.size());
  std::size_t shape_turn = shapes.empty() ? 0 : fault_rng_.below(shapes.size());
  std::vector<std::string> names;
  for (const auto& s : nodes_) names.push_back(s->id);
  for (Micros start = cfg_.fault_interval; start < cfg_.time_limit; start += 2 * cfg_.fault_interval) {
    Period p;
    p.start = start;
    p.end = std::min(start + cfg_.fault_interval, cfg_.time_limit);
    p.kind = kinds[turn++ % kinds.size()];
    if (p.kind == PeriodKind::kPartition) {
      const std::string& shape = shapes[shape_turn++ % shapes.size()];
      std::vector<std::string> order = names;
      if (shape == "isolated") {
        p.partition = harness::isolate_node(names, fault_rng_.below(n));
      } else {
        fault_rng_.shuffle(order);
        p.partition = shape == "halves" ? harness::halves_of(order) : harness::majorities_ring_of(order);
      }
    } else {
      p.node = static_cast<int>(fault_rng_.below(n));  // one node down at a time
    }
    schedule_.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < schedule_.size(); ++i) {
    Event b;
    b.at = schedule_[i].start;
    b.kind = EventKind::kFaultBegin;
    b.aux = i;
    push(std::move(b));
    Event e;
    e.at = schedule_[i].end;
    e.kind = EventKind::kFaultEnd;
    e.aux = i;
    push(std::move(e));
  }
}

void Simulation::begin_period(std::size_t i) {
  if (!workload()) return;
  active_ = i;
  const Period& p = schedule_[i];
  const std::size_t node = static_cast<std::size_t>(p.node);
  switch (p.kind) {
    case PeriodKind::kPartition: {
      const std::size_t n = nodes_.size();
      for (std::size_t a = 0; a < n; ++a) {
        for (std::size_t b = 0; b < n; ++b) blocked_[a * n + b] = p.partition.blocks(nodes_[a]->id, nodes_[b]->id);
      }
      if (trace_) note("nemesis partition " + p.partition.description());
      break;
    }
    case PeriodKind::kKill:
      if (trace_) note("nemesis kill " + nodes_[node]->id);
      kill_node(node);
      break;
    case PeriodKind::kPause:
      if (trace_) note("nemesis pause " + nodes_[node]->id);
      nodes_[node]->paused = true;
      break;
  }
}

void Simulation::end_period(std::size_t i) {
  if (active_ != i) return;
  active_.reset();
  const Period& p = schedule_[i];
  const std::size_t node = static_cast<std::size_t>(p.node);
  switch (p.kind) {
    case PeriodKind::kPartition:
      std::fill(blocked_.begin(), blocked_.end(), 0);
      if (trace_) note("nemesis heal");
      break;
    case PeriodKind::kKill:
      if (trace_) note("nemesis restart " + nodes_[node]->id + " (empty store, init)");
      start_node(node);
      break;
    case PeriodKind::kPause:
      if (trace_) note("nemesis resume " + nodes_[node]->id + " (" + std::to_string(nodes_[node]->inbox.size()) + " messages waited)");
      resume_node(node);
      break;
  }
}

void Simulation::heal() {
  if (trace_) note("final heal: the workload ends; every fault ends; no more message faults");
  if (active_) end_period(*active_);
  phase_ = Phase::kRecovery;
  heal_at_ = now_;
  Event e;
  e.at = now_;
  e.kind = EventKind::kCheck;
  push(std::move(e));
}

// --- convergence ----------------------------------------------------------------------------

std::string Simulation::state_text(std::size_t node) const {
  std::vector<std::string> items;
  nodes_[node]->node->store().for_each([&](std::string_view key, Siblings siblings) {
    std::vector<StoredVersion> versions;
    for (std::size_t i = 0; i < siblings.size(); ++i) {
      const VersionView v = siblings[i];
      versions.push_back(StoredVersion{std::string(v.value), v.clock()});
    }
    if (!versions.empty()) items.push_back(std::string(key) + "=" + harness::canonical_set(versions));
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
  // The fingerprints first (cheap); the full text only when they match.
  const std::uint64_t first = store_fingerprint(nodes_[0]->node->store());
  for (const auto& s : nodes_) {
    if (store_fingerprint(s->node->store()) != first) return false;
  }
  const std::string reference = state_text(0);
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    if (state_text(i) != reference) return false;
  }
  return true;
}

void Simulation::check_convergence() {
  const bool clients_idle = std::none_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->busy; });
  if (clients_idle && stores_agree()) {
    stats_.convergence = now_ - heal_at_;
    if (trace_) note("converged: every store agrees, " + time_text(now_ - heal_at_) + " s after the heal");
    phase_ = Phase::kDone;
    return;
  }
  if (now_ - heal_at_ >= cfg_.recovery_limit) {
    if (trace_) note("not converged " + time_text(cfg_.recovery_limit) + " s after the heal: final reads now");
    phase_ = Phase::kDone;
    return;
  }
  Event e;
  e.at = now_ + cfg_.convergence_check;
  e.kind = EventKind::kCheck;
  push(std::move(e));
}

// --- clients --------------------------------------------------------------------------------

void Simulation::start_op(std::size_t ci) {
  Client& c = *clients_[ci];
  if (!workload()) return;
  const std::size_t n = nodes_.size();
  std::optional<harness::PlannedWrite> write;
  if (c.read_key) {
    c.key = *c.read_key;
    c.node = c.read_node;
    if (n > 1 && client_rng_.chance(cfg_.other_node_ppm)) {
      c.node = static_cast<int>((static_cast<std::size_t>(c.read_node) + 1 + client_rng_.below(n - 1)) % n);
    }
    write = c.model.write_after_read(c.key, c.read_clocks);
    c.read_key.reset();
  } else {
    c.key = static_cast<std::int64_t>(client_rng_.below(cfg_.keys));
    c.node = static_cast<int>(client_rng_.below(n));
    if (client_rng_.chance(cfg_.blind_write_ppm)) write = c.model.blind_write(c.key);
  }
  c.busy = true;
  c.op = ++op_counter_;
  c.msg_id = c.next_msg_id++;
  c.invoked = now_;
  c.write.reset();
  const std::string& node_id = nodes_[static_cast<std::size_t>(c.node)]->id;
  std::string body;
  if (write) {
    c.f = write->resolve ? "resolve" : "put";
    body = std::string("{\"type\": \"") + (write->resolve ? "kv_resolve" : "kv_put") + "\", \"msg_id\": " +
           std::to_string(c.msg_id) + ", \"key\": " + std::to_string(c.key) + ", \"value\": " + write->value +
           ", \"clock\": " + harness::clock_text(write->clock) + "}";
    c.write = writes_.size();
    writes_.push_back(WriteRecord{c.model.name(), c.key, write->value, write->clock, WriteOutcome::kIndeterminate});
    fates_.push_back(WriteFate{c.node, std::nullopt, 0, std::nullopt});
    ++stats_.writes;
  } else {
    c.f = "get";
    body = "{\"type\": \"kv_get\", \"msg_id\": " + std::to_string(c.msg_id) + ", \"key\": " + std::to_string(c.key) + "}";
  }
  if (trace_) note("invoke " + c.model.name() + " op " + std::to_string(c.op) + " " + c.f + " key " + std::to_string(c.key) + " at " + node_id);
  const int self = static_cast<int>(n + ci);
  send_client_message(self, c.node, c.f == "get" ? "kv_get" : c.f == "put" ? "kv_put" : "kv_resolve",
                      "{\"src\": \"" + c.model.name() + "\", \"dest\": \"" + node_id + "\", \"body\": " + body + "}");
  Event timeout;
  timeout.at = now_ + cfg_.client_timeout;
  timeout.kind = EventKind::kClientTimeout;
  timeout.to = static_cast<int>(ci);
  timeout.aux = c.op;
  push(std::move(timeout));
}

void Simulation::on_reply(std::size_t ci, const Event& e) {
  Client& c = *clients_[ci];
  const std::string& line = e.line;
  const json envelope = json::parse(line, nullptr, false);
  if (envelope.is_discarded() || !envelope.is_object() || !envelope.contains("body") || !envelope["body"].is_object()) {
    fail("a client got a malformed reply: " + line.substr(0, 200));
    return;
  }
  const json& body = envelope["body"];
  const auto irt = body.find("in_reply_to");
  if (!c.busy || irt == body.end() || !irt->is_number_unsigned() || irt->get<std::uint64_t>() != c.msg_id) {
    if (trace_) note(c.model.name() + " ignores #" + std::to_string(e.aux) + ": a reply it no longer waits for");
    return;
  }
  const harness::ReplyFacts facts = harness::reply_facts(&body);
  const harness::Classified cls = c.write ? harness::classify_write(c.f, facts) : harness::classify_get(facts);
  if (!cls.violation.empty()) {
    fail("node " + nodes_[static_cast<std::size_t>(c.node)]->id + " answered " + c.f + " of " + c.model.name() +
         ": " + cls.violation + ": " + line.substr(0, 200));
  }
  std::string detail;
  if (!c.write && cls.op_class == harness::OpClass::kOk) {
    auto values = harness::parse_values(body);
    if (!values) {
      fail("node " + nodes_[static_cast<std::size_t>(c.node)]->id + " sent a malformed kv_get_ok: " + line.substr(0, 200));
    } else {
      c.read_key = c.key;
      c.read_node = c.node;
      c.read_clocks.clear();
      for (const StoredVersion& v : *values) {
        c.read_clocks.push_back(v.clock);
        if (trace_) detail += " " + v.value + "@" + harness::clock_text(v.clock);
      }
    }
  }
  complete_op(ci, cls, detail);
}

void Simulation::complete_op(std::size_t ci, const harness::Classified& cls, const std::string& detail) {
  Client& c = *clients_[ci];
  c.busy = false;
  ++stats_.client_ops;
  if (c.write) {
    WriteRecord& w = writes_[*c.write];
    w.outcome = cls.write;
    if (cls.write == WriteOutcome::kAcknowledged) {
      ++stats_.acknowledged;
      fates_[*c.write].acked_at = now_;
    } else if (cls.write == WriteOutcome::kIndeterminate) {
      ++stats_.indeterminate;
    }
  }
  if (trace_) {
    std::string what = c.write ? " " + writes_[*c.write].value + "@" + harness::clock_text(writes_[*c.write].clock) : "";
    note("complete " + c.model.name() + " op " + std::to_string(c.op) + " " + c.f + " key " + std::to_string(c.key) +
         what + " at " + nodes_[static_cast<std::size_t>(c.node)]->id + ": " + cls.status + " (" +
         harness::jepsen_type(cls.op_class) + ")" + detail);
  }
  const Micros next = std::max(now_, c.invoked + client_rng_.between(0, 2 * mean_gap_));
  if (workload() && next < cfg_.time_limit) {
    Event e;
    e.at = next;
    e.kind = EventKind::kClientStart;
    e.to = static_cast<int>(ci);
    push(std::move(e));
  }
}

// --- lost writes and kills --------------------------------------------------------------------

bool Simulation::holds(std::size_t node, const WriteRecord& w) const {
  const NodeSlot& s = *nodes_[node];
  if (!s.up()) return false;
  const Siblings siblings = s.node->store().find(std::to_string(w.key));
  for (std::size_t i = 0; i < siblings.size(); ++i) {
    const VersionView v = siblings[i];
    if (slots_dominate(v.slots, ClockSlots(w.clock.slots()))) return true;
    if (v.value == w.value && slots_equal(v.slots, ClockSlots(w.clock.slots()))) return true;
  }
  return false;
}

// Before node `dying` loses its store: which writes it held that no other node holds.
void Simulation::note_holders_before_kill(std::size_t dying) {
  for (std::size_t wi = 0; wi < writes_.size(); ++wi) {
    std::uint32_t mask = 0;
    for (std::size_t n = 0; n < nodes_.size() && n < 32; ++n) {
      if (holds(n, writes_[wi])) mask |= 1u << n;
    }
    WriteFate& fate = fates_[wi];
    fate.seen_holders |= mask;
    if (mask == (1u << dying)) {
      fate.last_holder_killed = std::make_pair(static_cast<int>(dying), now_);
    } else if (mask != 0) {
      fate.last_holder_killed.reset();  // it lives on elsewhere
    }
  }
}

void Simulation::explain_losses(SeedResult& result) {
  const auto& lost = result.check.lost_writes;
  result.explained = !lost.empty();
  for (std::size_t wi : lost) {
    const WriteRecord& w = writes_[wi];
    const WriteFate& fate = fates_[wi];
    const std::string acker = nodes_[static_cast<std::size_t>(fate.node)]->id;
    std::string line = "lost " + w.value + " (key " + std::to_string(w.key) + ", clock " + harness::clock_text(w.clock) +
                       ", by " + w.client + ") acknowledged by " + acker +
                       (fate.acked_at ? " at " + time_text(*fate.acked_at) + " s" : "") + ": ";
    LossExplanation kind = LossExplanation::kNone;
    if (fate.last_holder_killed) {
      const auto [holder, at] = *fate.last_holder_killed;
      if (holder == fate.node && fate.seen_holders == (1u << holder)) {
        kind = LossExplanation::kDiedBeforeLeft;
        line += "explained: " + acker + " was killed at " + time_text(at) +
                " s before the write left it (no other node had received a version holding it)";
      } else {
        kind = LossExplanation::kHoldersDied;
        std::string seen;
        for (std::size_t n = 0; n < nodes_.size() && n < 32; ++n) {
          if (fate.seen_holders & (1u << n)) seen += (seen.empty() ? "" : ",") + nodes_[n]->id;
        }
        line += "explained: every node holding it was killed before it spread: the last, " +
                nodes_[static_cast<std::size_t>(holder)]->id + ", at " + time_text(at) + " s (held by " + seen + ")";
      }
    } else {
      line += "UNEXPLAINED: no kill removed the last copy of it";
      result.explained = false;
    }
    result.loss_kinds.push_back(kind);
    result.explanations.push_back(std::move(line));
  }
}

void Simulation::finish(SeedResult& result) {
  std::map<std::string, harness::NodeState> final_states;
  for (const auto& s : nodes_) {
    harness::NodeState& state = final_states[s->id];
    s->node->store().for_each([&](std::string_view key, Siblings siblings) {
      std::vector<StoredVersion>& versions = state[std::stoll(std::string(key))];
      for (std::size_t i = 0; i < siblings.size(); ++i) {
        const VersionView v = siblings[i];
        versions.push_back(StoredVersion{std::string(v.value), v.clock()});
      }
    });
  }
  harness::CheckOptions options;
  options.mode = cfg_.node.conflict.mode == ConflictMode::kLww ? harness::ConflictMode::kLww
                                                                : harness::ConflictMode::kSiblings;
  result.check = harness::check(writes_, final_states, options);
  result.valid = result.check.valid() && failure_.empty();
  if (!failure_.empty()) {
    result.reason = failure_;
  } else if (!result.check.valid()) {
    result.reason = result.check.summary();
    if (!result.check.reasons.empty()) result.reason += ": " + result.check.reasons.front();
  }
  const bool only_losses = failure_.empty() && result.check.lost > 0 && result.check.diverged == 0 &&
                           result.check.not_antichain == 0 && result.check.phantom == 0 &&
                           result.check.rejected_present == 0 && result.check.multiple_versions == 0;
  if (!result.check.lost_writes.empty()) explain_losses(result);
  if (!only_losses) result.explained = false;
  if (trace_) {
    note("final states:");
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      trace_->append("  ").append(nodes_[i]->id).append(":\n");
      std::string text = state_text(i);
      for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = text.find('\n', start);
        trace_->append("    ").append(text, start, end - start + 1);
        start = end + 1;
      }
    }
    const harness::CheckResult& r = result.check;
    note("checker: " + std::string(result.valid ? "valid" : "INVALID") + "; " + std::to_string(r.keys_checked) +
         " keys, " + std::to_string(r.acknowledged) + " acknowledged writes: " + std::to_string(r.survived) +
         " present everywhere, " + std::to_string(r.superseded) + " superseded, " + std::to_string(r.lww_discarded) +
         " discarded by lww, " + std::to_string(r.lost) + " lost; diverged " + std::to_string(r.diverged) +
         ", not antichains " + std::to_string(r.not_antichain) + ", phantoms " + std::to_string(r.phantom) +
         ", rejected but present " + std::to_string(r.rejected_present) + ", several versions in lww " +
         std::to_string(r.multiple_versions));
    if (!failure_.empty()) note("checker: run failure: " + failure_);
    for (const std::string& reason : r.reasons) note("checker: " + reason);
    for (const std::string& e : result.explanations) note("checker: " + e);
  }
}

SeedResult Simulation::run() {
  SeedResult result;
  result.seed = seed_;
  const std::size_t n = cfg_.nodes;
  for (std::size_t i = 0; i < n; ++i) {
    nodes_.push_back(std::make_unique<NodeSlot>());
    nodes_.back()->id = "n" + std::to_string(i + 1);
  }
  for (std::size_t i = 1; i <= cfg_.clients; ++i) clients_.push_back(std::make_unique<Client>(i, cfg_.clients));
  link_last_.assign(n * n, 0);
  blocked_.assign(n * n, 0);
  mean_gap_ = static_cast<Micros>(std::llround(static_cast<double>(cfg_.clients) * 1e6 / cfg_.rate));
  if (trace_) {
    note("seed " + std::to_string(seed_) + ": " + std::to_string(n) + " nodes, " + std::to_string(cfg_.clients) +
         " clients, " + std::to_string(cfg_.keys) + " keys, faults " + faults_name(cfg_.faults) + ", workload " +
         time_text(cfg_.time_limit) + " s");
  }
  for (std::size_t i = 0; i < n; ++i) start_node(i);
  make_schedule();
  if (trace_) {
    for (const Period& p : schedule_) {
      const std::string what = p.kind == PeriodKind::kPartition ? "partition " + p.partition.description()
                               : (p.kind == PeriodKind::kKill ? "kill " : "pause ") + nodes_[static_cast<std::size_t>(p.node)]->id;
      note("scheduled " + time_text(p.start) + "-" + time_text(p.end) + " s: " + what);
    }
  }
  for (std::size_t c = 0; c < clients_.size(); ++c) {
    Event e;
    e.at = 0;
    e.kind = EventKind::kClientStart;
    e.to = static_cast<int>(c);
    push(std::move(e));
  }
  {
    Event e;
    e.at = cfg_.time_limit;
    e.kind = EventKind::kHeal;
    push(std::move(e));
  }
  while (phase_ != Phase::kDone) {
    // The next thing to happen: a node's timer or an event, whichever is earlier (a timer first
    // at equal times; nodes in index order).
    Micros timer_at = 0;
    std::optional<std::size_t> timer_node;
    for (std::size_t i = 0; i < n; ++i) {
      const NodeSlot& s = *nodes_[i];
      if (!s.up() || s.paused) continue;
      if (const auto due = s.clock->next_due()) {
        const Micros at = *due * 1000;
        if (!timer_node || at < timer_at) {
          timer_at = at;
          timer_node = i;
        }
      }
    }
    if (queue_.empty() && !timer_node) break;
    ++stats_.events;
    if (timer_node && (queue_.empty() || timer_at <= queue_.front().at)) {
      now_ = std::max(now_, timer_at);
      nodes_[*timer_node]->clock->advance_to(timer_at / 1000);
      collect_output(*timer_node);
      continue;
    }
    Event e = pop();
    now_ = std::max(now_, e.at);
    switch (e.kind) {
      case EventKind::kDeliver:
        if (e.to >= 0 && e.to < static_cast<int>(n)) {
          deliver_to_node(static_cast<std::size_t>(e.to), e);
        } else if (e.to >= static_cast<int>(n) && sender_crashed(e)) {
          if (trace_) note("drop #" + std::to_string(e.aux) + " " + endpoint_name(e.from) + "->" + endpoint_name(e.to) + " " + e.type + " (its sender was killed before it arrived)");
        } else if (e.to >= static_cast<int>(n)) {
          if (trace_) note("deliver #" + std::to_string(e.aux) + " " + endpoint_name(e.from) + "->" + endpoint_name(e.to) + " " + e.type);
          on_reply(static_cast<std::size_t>(e.to) - n, e);
        }
        break;
      case EventKind::kClientStart:
        start_op(static_cast<std::size_t>(e.to));
        break;
      case EventKind::kClientTimeout: {
        Client& c = *clients_[static_cast<std::size_t>(e.to)];
        if (c.busy && c.op == e.aux) {
          harness::Classified cls;
          cls.status = "timeout";
          complete_op(static_cast<std::size_t>(e.to), cls, "");
        }
        break;
      }
      case EventKind::kFaultBegin:
        begin_period(e.aux);
        break;
      case EventKind::kFaultEnd:
        end_period(e.aux);
        break;
      case EventKind::kHeal:
        heal();
        break;
      case EventKind::kCheck:
        check_convergence();
        break;
    }
  }
  stats_.ended = now_;
  finish(result);
  result.stats = stats_;
  return result;
}

}  // namespace

SeedResult run_seed(const SimConfig& config, std::uint64_t seed, std::string* trace) {
  Simulation sim(config, seed, trace);
  return sim.run();
}

}  // namespace vckv::sim
