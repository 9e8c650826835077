#include "runner.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>

#include "checker.hpp"
#include "vckv/wire/clock_json.hpp"
#include "process.hpp"
#include "report.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace vckv::harness {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kControlClient = "c0";  // init and the final reads; workload clients are c1..cN

Micros from_ms(double ms) { return static_cast<Micros>(std::llround(ms * 1000)); }
double to_ms(Micros us) { return static_cast<double>(us) / 1000.0; }
double to_s(Micros us) { return static_cast<double>(us) / 1e6; }
double round3(double x) { return std::round(x * 1000) / 1000; }

std::string truncated(const std::string& s, std::size_t n = 200) {
  return s.size() <= n ? s : s.substr(0, n) + "...";
}

// store/<timestamp>, made unique, and store/latest pointing at it.
std::string make_store_dir(const std::string& store) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::ostringstream name;
  name << std::put_time(&tm, "%Y%m%dT%H%M%S");
  fs::create_directories(store);
  std::string base = name.str(), dir = base;
  for (int i = 2; fs::exists(fs::path(store) / dir); ++i) dir = base + "-" + std::to_string(i);
  fs::create_directories(fs::path(store) / dir / "node-logs");
  const fs::path latest = fs::path(store) / "latest";
  const fs::path tmp = fs::path(store) / (".latest-" + dir);
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(dir, tmp, ec);
  if (!ec) fs::rename(tmp, latest, ec);
  return (fs::path(store) / dir).string();
}

// A clock in a node's reply, validated as the node validates clocks.
std::optional<VectorClock> parse_clock(const json& j) {
  VectorClock clock;
  if (vckv::parse_clock(j.dump(), SIZE_MAX, clock)) return std::nullopt;
  return clock;
}

// kv_get_ok's values, or nullopt when malformed.
std::optional<std::vector<StoredVersion>> parse_values(const json& body) {
  auto it = body.find("values");
  if (it == body.end() || !it->is_array()) return std::nullopt;
  std::vector<StoredVersion> out;
  for (const json& v : *it) {
    if (!v.is_object() || !v.contains("value") || !v.contains("clock")) return std::nullopt;
    auto clock = parse_clock(v["clock"]);
    if (!clock) return std::nullopt;
    out.push_back(StoredVersion{v["value"].dump(), std::move(*clock)});
  }
  return out;
}

class Runner {
 public:
  Runner(HarnessConfig config, std::ostream& out)
      : cfg_(std::move(config)), out_(out), rng_(cfg_.seed),
        net_(LatencyModel{cfg_.latency_dist, cfg_.latency_ms}) {}

  RunResult run();

 private:
  // A client request waiting for its reply; done gets the reply body, or nullptr on timeout.
  using Done = std::function<void(const json* body, Micros now)>;
  struct Pending {
    Micros deadline;
    Done done;
  };
  struct SimClient {
    explicit SimClient(std::size_t index, std::size_t slots) : model(index, slots) {}
    ClientModel model;
    bool busy = false;
    Micros next_start = 0;
    // A read whose write comes next.
    std::optional<std::int64_t> read_key;
    std::string read_node;
    std::vector<VectorClock> read_clocks;
  };
  struct ProbeRound {
    Micros start;
    bool complete = false;  // every read answered
    bool agreed = false;
  };

  Micros now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0_).count();
  }
  void fail(Verdict v, std::string reason) {
    if (!fatal_) fatal_ = std::make_pair(v, std::move(reason));
  }

  bool start_nodes();
  void send_request(const std::string& client, const std::string& node, json body, Micros timeout, Done done);
  // Runs the event loop until `until` or until `finished` says so (or a fatal error).
  void pump(Micros until, const std::function<bool()>& finished);
  void handle_node_line(const std::string& node, const std::string& line, Micros t);
  void update_nemesis(Micros t);
  void start_client_op(SimClient& c, Micros t);
  void complete_client_op(SimClient& c, OpRecord op, Micros invoke, Micros t);
  void history(json line) {
    history_ << line.dump() << '\n';
  }
  // Reads every workload key from every node; nullopt states for reads that failed.
  std::map<std::string, NodeState> read_everything(ProbeRound& round, std::vector<std::string>& failures);
  RunResult finish(std::optional<CheckResult> check, const std::vector<ProbeRound>& rounds);

  HarnessConfig cfg_;
  std::ostream& out_;
  Rng rng_;
  VirtualNetwork net_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::string dir_;
  std::ofstream history_;
  std::vector<std::string> node_ids_;
  std::map<std::string, NodeProcess> nodes_;
  std::vector<std::unique_ptr<SimClient>> clients_;
  bool workload_on_ = false;
  std::map<std::pair<std::string, std::uint64_t>, Pending> pending_;
  std::map<std::string, std::uint64_t> next_msg_id_;
  std::optional<std::pair<Verdict, std::string>> fatal_;

  std::vector<PartitionPeriod> schedule_;
  std::optional<std::size_t> active_period_;
  Partition current_;
  std::optional<Micros> final_heal_;
  std::optional<Micros> last_delivery_after_heal_;  // the network's last activity in recovery
  Micros workload_end_ = 0;

  std::vector<OpRecord> ops_;
  std::vector<WriteRecord> writes_;
  std::map<std::string, std::uint64_t> node_msgs_by_type_;
  std::uint64_t late_replies_ = 0;
  std::uint64_t workload_requests_ = 0;
};

bool Runner::start_nodes() {
  for (std::size_t i = 1; i <= cfg_.node_count; ++i) {
    node_ids_.push_back(std::string("n").append(std::to_string(i)));
  }
  for (const std::string& id : node_ids_) {
    std::vector<std::string> argv{cfg_.bin};
    argv.insert(argv.end(), cfg_.node_args.begin(), cfg_.node_args.end());
    NodeProcess p;
    if (auto err = NodeProcess::spawn(argv, dir_ + "/node-logs/" + id + ".log", p)) {
      fail(Verdict::kUnknown, "node " + id + ": " + *err);
      return false;
    }
    nodes_.emplace(id, std::move(p));
  }
  std::size_t ready = 0;
  for (const std::string& id : node_ids_) {
    json body{{"type", "init"}, {"node_id", id}, {"node_ids", node_ids_}};
    send_request(kControlClient, id, body, from_ms(cfg_.init_timeout_s * 1000), [this, id, &ready](const json* reply, Micros) {
      if (!reply) {
        fail(Verdict::kUnknown, "node " + id + " did not answer init within " + json(cfg_.init_timeout_s).dump() + " s");
      } else if (reply->value("type", "") != "init_ok") {
        fail(Verdict::kUnknown, "node " + id + " answered init with " + truncated(reply->dump()));
      } else {
        ++ready;
      }
    });
  }
  pump(now() + from_ms(cfg_.init_timeout_s * 1000) + from_ms(1000), [&] { return ready == node_ids_.size(); });
  return !fatal_ && ready == node_ids_.size();
}

void Runner::send_request(const std::string& client, const std::string& node, json body, Micros timeout, Done done) {
  const std::uint64_t id = next_msg_id_[client]++;
  body["msg_id"] = id;
  json envelope{{"src", client}, {"dest", node}, {"body", std::move(body)}};
  nodes_.at(node).queue_line(envelope.dump());
  pending_.emplace(std::make_pair(client, id), Pending{now() + timeout, std::move(done)});
}

void Runner::update_nemesis(Micros t) {
  std::optional<std::size_t> active;
  if (!final_heal_) {
    for (std::size_t i = 0; i < schedule_.size(); ++i) {
      if (schedule_[i].start <= t && t < schedule_[i].end) active = i;
    }
  }
  if (active == active_period_) return;
  if (active_period_) {
    history({{"process", "nemesis"}, {"type", "info"}, {"f", "heal"}, {"time_ms", round3(to_ms(t))}});
  }
  active_period_ = active;
  current_ = active ? schedule_[*active].partition : Partition{};
  if (active) {
    history({{"process", "nemesis"}, {"type", "info"}, {"f", "partition"},
             {"value", current_.description()}, {"time_ms", round3(to_ms(t))}});
  }
}

void Runner::pump(Micros until, const std::function<bool()>& finished) {
  std::vector<pollfd> fds;
  std::vector<std::string> fd_nodes;
  std::vector<std::string> lines;
  while (!fatal_ && !finished()) {
    // Everything due is handled before `until` is checked: poll may wake late, and a timeout
    // due at the same moment as `until` must still fire.
    const Micros t = now();
    update_nemesis(t);
    for (InFlight& m : net_.take_due(t, current_)) {
      nodes_.at(m.to).queue_line(m.line);
      if (final_heal_) last_delivery_after_heal_ = t;
    }
    // Timeouts.
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= t) {
        Done done = std::move(it->second.done);
        it = pending_.erase(it);
        done(nullptr, t);
      } else {
        ++it;
      }
    }
    if (fatal_ || finished() || t >= until) return;
    if (workload_on_) {
      for (auto& c : clients_) {
        if (!c->busy && c->next_start <= t) start_client_op(*c, t);
      }
    }
    // The next thing due.
    Micros wake = until;
    if (auto d = net_.next_delivery()) wake = std::min(wake, *d);
    for (const auto& [key, p] : pending_) wake = std::min(wake, p.deadline);
    if (workload_on_) {
      for (const auto& c : clients_) {
        if (!c->busy) wake = std::min(wake, c->next_start);
      }
    }
    for (const PartitionPeriod& p : schedule_) {
      if (p.start > t) wake = std::min(wake, p.start);
      if (p.end > t) wake = std::min(wake, p.end);
    }
    fds.clear();
    fd_nodes.clear();
    for (auto& [id, node] : nodes_) {
      if (!node.write_pending()) {
        fail(Verdict::kInvalid, "node " + id + " closed its stdin during the run");
        return;
      }
      fds.push_back({node.stdout_fd(), POLLIN, 0});
      fd_nodes.push_back(id);
      if (node.has_pending_input()) {
        fds.push_back({node.stdin_fd(), POLLOUT, 0});
        fd_nodes.push_back(id);
      }
    }
    const Micros wait = std::max<Micros>(0, wake - now());
    timespec ts{static_cast<time_t>(wait / 1000000), static_cast<long>((wait % 1000000) * 1000)};
    if (::ppoll(fds.data(), fds.size(), &ts, nullptr) < 0 && errno != EINTR) {
      fail(Verdict::kUnknown, std::string("poll failed: ") + std::strerror(errno));
      return;
    }
    for (std::size_t i = 0; i < fds.size() && !fatal_; ++i) {
      if (fds[i].events != POLLIN || fds[i].revents == 0) continue;
      const std::string& id = fd_nodes[i];
      lines.clear();
      const bool open = nodes_.at(id).read_lines(lines);
      const Micros read_at = now();
      for (const std::string& line : lines) {
        handle_node_line(id, line, read_at);
        if (fatal_) break;
      }
      if (!open && !fatal_) {
        std::string how = "closed its stdout";
        for (int tries = 0; tries < 50; ++tries) {
          if (auto e = nodes_.at(id).poll_exit()) {
            how = "exited (" + *e + ")";
            break;
          }
          ::usleep(2000);
        }
        fail(Verdict::kInvalid, "node " + id + " " + how + " during the run; see node-logs/" + id + ".log");
      }
    }
  }
}

void Runner::handle_node_line(const std::string& node, const std::string& line, Micros t) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return;
  json env;
  try {
    env = json::parse(line);
  } catch (const json::exception&) {
    fail(Verdict::kInvalid, "node " + node + " printed a line that is not JSON: " + truncated(line));
    return;
  }
  if (!env.is_object() || !env.contains("src") || !env["src"].is_string() || !env.contains("dest") ||
      !env["dest"].is_string() || !env.contains("body") || !env["body"].is_object() ||
      !env["body"].contains("type") || !env["body"]["type"].is_string()) {
    fail(Verdict::kInvalid, "node " + node + " printed a malformed envelope (src, dest, body.type required): " + truncated(line));
    return;
  }
  const std::string src = env["src"], dest = env["dest"];
  if (src != node) {
    fail(Verdict::kInvalid, "node " + node + " sent a message with src " + json(src).dump() + ": " + truncated(line));
    return;
  }
  const json& body = env["body"];
  if (nodes_.count(dest)) {
    ++node_msgs_by_type_[body["type"].get<std::string>()];
    net_.send(src, dest, line, t, rng_);
    return;
  }
  auto irt = body.find("in_reply_to");
  if (irt == body.end() || !irt->is_number_unsigned()) {
    fail(Verdict::kInvalid, "node " + node + " sent a client a message that is not a reply: " + truncated(line));
    return;
  }
  auto it = pending_.find({dest, irt->get<std::uint64_t>()});
  if (it == pending_.end()) {
    ++late_replies_;  // the request timed out already
    return;
  }
  Done done = std::move(it->second.done);
  pending_.erase(it);
  done(&body, t);
}

void Runner::start_client_op(SimClient& c, Micros t) {
  std::uniform_int_distribution<std::size_t> pick_node(0, node_ids_.size() - 1);
  std::uniform_real_distribution<double> coin(0, 1);
  OpRecord op;
  op.client = c.model.name();
  json body;
  std::optional<PlannedWrite> write;
  if (c.read_key) {
    op.key = *c.read_key;
    op.node = c.read_node;
    if (node_ids_.size() > 1 && coin(rng_) < cfg_.other_node_fraction) {
      while (op.node == c.read_node) op.node = node_ids_[pick_node(rng_)];
    }
    write = c.model.write_after_read(op.key, c.read_clocks);
    c.read_key.reset();
  } else {
    op.key = static_cast<std::int64_t>(std::uniform_int_distribution<std::size_t>(0, cfg_.keys - 1)(rng_));
    op.node = node_ids_[pick_node(rng_)];
    if (coin(rng_) < cfg_.blind_write_fraction) write = c.model.blind_write(op.key);
  }
  json inv{{"process", op.client}, {"type", "invoke"}, {"key", op.key}, {"node", op.node}, {"time_ms", round3(to_ms(t))}};
  if (write) {
    op.f = write->resolve ? "resolve" : "put";
    body = {{"type", write->resolve ? "kv_resolve" : "kv_put"}, {"key", op.key},
            {"value", json::parse(write->value)}, {"clock", write->clock.slots()}};
    inv["value"] = json::parse(write->value);
    inv["clock"] = write->clock.slots();
    writes_.push_back(WriteRecord{op.client, op.key, write->value, write->clock, WriteOutcome::kIndeterminate});
  } else {
    op.f = "get";
    body = {{"type", "kv_get"}, {"key", op.key}};
  }
  inv["f"] = op.f;
  history(std::move(inv));
  c.busy = true;
  ++workload_requests_;
  const std::optional<std::size_t> write_index = write ? std::optional(writes_.size() - 1) : std::nullopt;
  send_request(op.client, op.node, std::move(body), from_ms(cfg_.timeout_ms),
               [this, &c, op, t, write_index](const json* reply, Micros done_at) mutable {
                 const std::string expected = op.f == "get" ? "kv_get_ok" : "kv_" + op.f + "_ok";
                 if (!reply) {
                   op.outcome = "info";
                   op.status = "timeout";
                 } else if ((*reply)["type"] == "error") {
                   op.outcome = "fail";
                   op.status = "error " + reply->value("code", json()).dump();
                   if (write_index) writes_[*write_index].outcome = WriteOutcome::kRejected;
                 } else if ((*reply)["type"] != expected) {
                   fail(Verdict::kInvalid, "node " + op.node + " answered " + op.f + " with " + truncated(reply->dump()));
                   return;
                 } else if (op.f == "get") {
                   auto values = parse_values(*reply);
                   if (!values) {
                     fail(Verdict::kInvalid, "node " + op.node + " sent a malformed kv_get_ok: " + truncated(reply->dump()));
                     return;
                   }
                   op.outcome = "ok";
                   op.status = std::to_string(values->size()) + (values->size() == 1 ? " sibling" : " siblings");
                   c.read_key = op.key;
                   c.read_node = op.node;
                   c.read_clocks.clear();
                   for (const StoredVersion& v : *values) c.read_clocks.push_back(v.clock);
                 } else {
                   op.status = reply->value("status", "");
                   if (op.status == "written" || op.status == "conflict" || op.status == "resolved") {
                     op.outcome = "ok";
                     writes_[*write_index].outcome = WriteOutcome::kAcknowledged;
                   } else if (op.status == "stale") {
                     op.outcome = "fail";
                     writes_[*write_index].outcome = WriteOutcome::kRejected;
                   } else {
                     fail(Verdict::kInvalid, "node " + op.node + " answered " + op.f + " with unknown status: " + truncated(reply->dump()));
                     return;
                   }
                 }
                 complete_client_op(c, std::move(op), t, done_at);
               });
}

void Runner::complete_client_op(SimClient& c, OpRecord op, Micros invoke, Micros t) {
  op.invoke_s = to_s(invoke);
  op.latency_ms = to_ms(t - invoke);
  json line{{"process", op.client}, {"type", op.outcome}, {"f", op.f}, {"key", op.key}, {"node", op.node},
            {"status", op.status}, {"time_ms", round3(to_ms(t))}, {"latency_ms", round3(op.latency_ms)}};
  history(std::move(line));
  ops_.push_back(std::move(op));
  c.busy = false;
  // Each client asks at rate/concurrency on average, with exponential gaps.
  const double mean_gap_us = static_cast<double>(clients_.size()) / cfg_.rate * 1e6;
  const auto gap = static_cast<Micros>(std::exponential_distribution<double>(1 / mean_gap_us)(rng_));
  c.next_start = std::max(t, invoke + gap);
}

std::map<std::string, NodeState> Runner::read_everything(ProbeRound& round, std::vector<std::string>& failures) {
  std::map<std::string, NodeState> states;
  std::size_t outstanding = 0;
  round.start = now();
  for (const std::string& id : node_ids_) {
    states[id];
    for (std::size_t k = 0; k < cfg_.keys; ++k) {
      const auto key = static_cast<std::int64_t>(k);
      ++outstanding;
      send_request(kControlClient, id, {{"type", "kv_get"}, {"key", key}}, from_ms(cfg_.timeout_ms),
                   [&, id, key](const json* reply, Micros) {
                     --outstanding;
                     std::optional<std::vector<StoredVersion>> values;
                     if (reply && (*reply)["type"] == "kv_get_ok") values = parse_values(*reply);
                     if (!values) {
                       failures.push_back("read of key " + std::to_string(key) + " on " + id + ": " +
                                          (reply ? truncated(reply->dump()) : "timed out"));
                       return;
                     }
                     if (!values->empty()) states[id][key] = std::move(*values);
                   });
    }
  }
  pump(now() + from_ms(cfg_.timeout_ms) + from_ms(1000), [&] { return outstanding == 0; });
  round.complete = outstanding == 0 && failures.empty();
  if (round.complete) {
    round.agreed = true;
    for (const auto& [id, state] : states) {
      if (state.size() != states.begin()->second.size()) round.agreed = false;
      for (const auto& [key, siblings] : state) {
        const auto& first = states.begin()->second;
        auto f = first.find(key);
        if (f == first.end() || canonical_set(f->second) != canonical_set(siblings)) round.agreed = false;
      }
    }
  }
  // Drop this round's leftovers so they cannot touch the locals captured above.
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->first.first == kControlClient ? pending_.erase(it) : std::next(it);
  }
  return states;
}

RunResult Runner::run() {
  ::signal(SIGPIPE, SIG_IGN);
  dir_ = make_store_dir(cfg_.store);
  history_.open(dir_ + "/history.jsonl");
  t0_ = std::chrono::steady_clock::now();
  out_ << "vckv-harness: " << cfg_.node_count << " nodes of " << cfg_.bin << ", store " << dir_ << std::endl;

  std::optional<CheckResult> check;
  std::vector<ProbeRound> rounds;
  if (start_nodes()) {
    for (std::size_t i = 1; i <= cfg_.concurrency; ++i) {
      clients_.push_back(std::make_unique<SimClient>(i, cfg_.concurrency));
    }
    const Micros start = now();
    const Micros end = start + from_ms(cfg_.time_limit_s * 1000);
    if (cfg_.partitions) {
      schedule_ = make_partition_schedule(node_ids_, from_ms(cfg_.nemesis_interval_s * 1000), end - start, rng_);
      for (PartitionPeriod& p : schedule_) {
        p.start += start;
        p.end += start;
      }
    }
    out_ << "workload: " << cfg_.time_limit_s << " s" << std::endl;
    workload_on_ = true;
    for (auto& c : clients_) c->next_start = start;
    pump(end, [] { return false; });
    workload_on_ = false;
    workload_end_ = now();
    // The final heal; requests still out finish (or time out) while the cluster recovers.
    final_heal_ = workload_end_;
    update_nemesis(workload_end_);
    history({{"process", "nemesis"}, {"type", "info"}, {"f", "final-heal"}, {"time_ms", round3(to_ms(workload_end_))}});
    out_ << "recovery: " << cfg_.recovery_time_s << " s without client writes" << std::endl;
    const Micros recovery_end = workload_end_ + from_ms(cfg_.recovery_time_s * 1000);
    pump(now() + from_ms(cfg_.timeout_ms) + from_ms(1000), [&] {
      return std::none_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->busy; });
    });
    if (cfg_.probe_interval_ms > 0) {
      while (!fatal_ && now() + from_ms(cfg_.probe_interval_ms) < recovery_end) {
        ProbeRound round;
        std::vector<std::string> failures;
        read_everything(round, failures);
        rounds.push_back(round);
        pump(round.start + from_ms(cfg_.probe_interval_ms), [] { return false; });
      }
    }
    pump(recovery_end, [] { return false; });
    if (!fatal_) {
      out_ << "final reads: " << cfg_.keys << " keys from each of " << node_ids_.size() << " nodes" << std::endl;
      ProbeRound round;
      std::vector<std::string> failures;
      std::map<std::string, NodeState> states = read_everything(round, failures);
      rounds.push_back(round);
      if (!failures.empty()) {
        fail(Verdict::kUnknown, "final reads failed: " + failures.front() +
                                    (failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more)" : ""));
      }
      if (!fatal_) check = harness::check(writes_, states);
    }
  }
  return finish(check, rounds);
}

RunResult Runner::finish(std::optional<CheckResult> check, const std::vector<ProbeRound>& rounds) {
  json node_exits = json::object();
  for (auto& [id, node] : nodes_) node_exits[id] = node.stop(cfg_.stop_grace_ms);
  history_.close();
  const Micros ended = now();

  RunResult result;
  result.store_dir = dir_;
  std::vector<std::string> reasons;
  if (fatal_) {
    result.verdict = fatal_->first;
    reasons.push_back(fatal_->second);
  } else if (check) {
    result.verdict = check->valid() ? Verdict::kValid : Verdict::kInvalid;
    reasons = check->reasons;
  }

  // Counts by outcome and by f/status.
  std::map<std::string, std::size_t> by_outcome{{"ok", 0}, {"fail", 0}, {"info", 0}};
  std::map<std::string, std::map<std::string, std::size_t>> by_status;
  std::vector<double> latencies;
  for (const OpRecord& op : ops_) {
    ++by_outcome[op.outcome];
    const std::string status = op.f == "get" ? (op.outcome == "ok" ? "ok" : op.status) : op.status;
    ++by_status[op.f][status];
    if (op.outcome != "info") latencies.push_back(op.latency_ms);
  }
  const std::uint64_t node_msgs = net_.sent();
  const double msgs_per_op = workload_requests_ ? static_cast<double>(node_msgs) / static_cast<double>(workload_requests_) : 0;

  // Convergence: the start of the first probe round after which every round (the final read
  // included) found all nodes agreeing, measured from the final heal.
  json convergence{{"method", "probe rounds: every key read from every node every probe_interval_ms after the final heal; "
                              "converged_after_ms is the start of the first round from which all later rounds agreed"}};
  std::optional<double> converged_after_ms;
  if (!rounds.empty() && rounds.back().complete && rounds.back().agreed && final_heal_) {
    std::size_t first = rounds.size() - 1;
    while (first > 0 && rounds[first - 1].complete && rounds[first - 1].agreed) --first;
    converged_after_ms = round3(to_ms(rounds[first].start - *final_heal_));
    convergence["converged_after_ms"] = *converged_after_ms;
  } else {
    convergence["converged_after_ms"] = nullptr;
  }
  convergence["last_node_message_after_heal_ms"] =
      last_delivery_after_heal_ && final_heal_ ? json(round3(to_ms(*last_delivery_after_heal_ - *final_heal_))) : json(nullptr);
  convergence["probe_rounds"] = rounds.size();
  convergence["probe_interval_ms"] = cfg_.probe_interval_ms;

  json partitions = json::array();
  std::vector<Shade> shades;
  for (const PartitionPeriod& p : schedule_) {
    partitions.push_back({{"start_s", round3(to_s(p.start))}, {"end_s", round3(to_s(p.end))},
                          {"shape", p.partition.name()}, {"description", p.partition.description()}});
    shades.push_back({to_s(p.start), to_s(p.end)});
  }

  const char* verdict_name = result.verdict == Verdict::kValid ? "valid" : result.verdict == Verdict::kInvalid ? "invalid" : "unknown";
  json results{
      {"config",
       {{"bin", cfg_.bin}, {"node_count", cfg_.node_count}, {"time_limit_s", cfg_.time_limit_s}, {"rate", cfg_.rate},
        {"concurrency", cfg_.concurrency}, {"latency_ms", cfg_.latency_ms},
        {"latency_dist", latency_dist_name(cfg_.latency_dist)}, {"nemesis", cfg_.partitions ? "partition" : "none"},
        {"nemesis_interval_s", cfg_.nemesis_interval_s}, {"recovery_time_s", cfg_.recovery_time_s}, {"seed", cfg_.seed},
        {"node_args", cfg_.node_args}, {"keys", cfg_.keys}, {"timeout_ms", cfg_.timeout_ms},
        {"probe_interval_ms", cfg_.probe_interval_ms}}},
      {"verdict", verdict_name},
      {"reasons", reasons},
      {"ops", {{"total", ops_.size()}, {"by_outcome", by_outcome}, {"by_f_and_status", by_status},
               {"late_replies", late_replies_}}},
      {"latency_ms", {{"p50", round3(quantile(latencies, 0.5))}, {"p95", round3(quantile(latencies, 0.95))},
                      {"p99", round3(quantile(latencies, 0.99))},
                      {"max", round3(latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end()))},
                      {"note", "client requests that got a reply (timeouts excluded); client<->node links have no latency"}}},
      {"network", {{"node_messages_sent", node_msgs}, {"delivered", net_.delivered()}, {"dropped_by_partitions", net_.dropped()},
                   {"undelivered_at_end", net_.in_flight()}, {"by_type", node_msgs_by_type_},
                   {"msgs_per_op", round3(msgs_per_op)},
                   {"msgs_per_op_note", "node-to-node messages sent over the whole run (recovery included) / workload client requests"}}},
      {"convergence", convergence},
      {"partitions", partitions},
      {"duration_s", round3(to_s(ended))},
      {"node_exits", node_exits},
  };
  if (check) {
    results["checker"] = {{"keys_checked", check->keys_checked}, {"acknowledged_writes", check->acknowledged},
                          {"survived", check->survived}, {"superseded", check->superseded}, {"lost", check->lost},
                          {"diverged", check->diverged}, {"not_antichain", check->not_antichain},
                          {"phantom", check->phantom}, {"rejected_present", check->rejected_present}};
  }
  std::size_t acked = 0, rejected = 0, indeterminate = 0;
  for (const WriteRecord& w : writes_) {
    (w.outcome == WriteOutcome::kAcknowledged ? acked : w.outcome == WriteOutcome::kRejected ? rejected : indeterminate)++;
  }
  results["writes"] = {{"acknowledged", acked}, {"rejected", rejected}, {"indeterminate", indeterminate}};

  const std::string plot_note = write_plots(dir_, ops_, shades, to_s(workload_end_ ? workload_end_ : ended));
  results["plots"] = plot_note.empty() ? json{"latency-raw.png", "rate.png"} : json::array();
  if (!plot_note.empty()) results["plots_note"] = plot_note;
  std::ofstream(dir_ + "/results.json") << results.dump(2) << '\n';

  // The human summary.
  out_ << "\nops: " << ops_.size() << " (ok " << by_outcome["ok"] << ", fail " << by_outcome["fail"] << ", info/timeout "
       << by_outcome["info"] << ")";
  for (const auto& [f, statuses] : by_status) {
    out_ << "\n  " << f << ":";
    for (const auto& [status, n] : statuses) out_ << " " << status << " " << n;
  }
  out_ << "\nwrites: " << acked << " acknowledged, " << rejected << " rejected, " << indeterminate << " indeterminate";
  out_ << "\nlatency ms: p50 " << round3(quantile(latencies, 0.5)) << ", p95 " << round3(quantile(latencies, 0.95))
       << ", p99 " << round3(quantile(latencies, 0.99)) << ", max " << results["latency_ms"]["max"];
  out_ << "\nnode-to-node messages: " << node_msgs << " sent (" << net_.delivered() << " delivered, " << net_.dropped()
       << " dropped by partitions); msgs-per-op " << round3(msgs_per_op);
  out_ << "\npartitions: " << schedule_.size();
  for (const PartitionPeriod& p : schedule_) {
    out_ << "\n  " << std::fixed << std::setprecision(1) << to_s(p.start) << "-" << to_s(p.end) << " s  "
         << p.partition.description();
  }
  out_.unsetf(std::ios::floatfield);
  out_ << std::setprecision(6);
  out_ << "\nconvergence after the final heal: "
       << (converged_after_ms ? "<= " + json(*converged_after_ms).dump() + " ms (probe every " + json(cfg_.probe_interval_ms).dump() + " ms, " + std::to_string(rounds.size()) + " rounds)"
                              : std::string("not observed"))
       << "; last node-to-node delivery "
       << (last_delivery_after_heal_ ? convergence["last_node_message_after_heal_ms"].dump() + " ms after it" : std::string("none after it"));
  if (check) {
    out_ << "\nchecker: " << check->keys_checked << " keys, " << check->acknowledged << " acknowledged writes: "
         << check->survived << " present everywhere, " << check->superseded << " superseded, " << check->lost
         << " lost; " << check->diverged << " diverged keys; " << check->not_antichain << " non-antichains; "
         << check->phantom << " phantom; " << check->rejected_present << " rejected-but-present";
  }
  for (const std::string& r : reasons) out_ << "\n  " << r;
  out_ << "\nplots: " << (plot_note.empty() ? dir_ + "/latency-raw.png, " + dir_ + "/rate.png" : plot_note);
  out_ << "\nresults: " << dir_ << "/results.json\n";
  if (result.verdict == Verdict::kValid) {
    out_ << "verdict: valid\n";
  } else if (result.verdict == Verdict::kInvalid) {
    out_ << "verdict: INVALID (" << (check && !check->valid() ? check->summary() : (fatal_ ? fatal_->second : "")) << ")\n";
  } else {
    out_ << "verdict: unknown (" << (fatal_ ? fatal_->second : "no final state") << ")\n";
  }
  out_.flush();
  return result;
}

}  // namespace

RunResult run_test(const HarnessConfig& config, std::ostream& out) {
  Runner runner(config, out);
  return runner.run();
}

}  // namespace vckv::harness
