#include "runner.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "checker.hpp"
#include "cluster.hpp"
#include "format.hpp"
#include "final_state.hpp"
#include "history.hpp"
#include "journal.hpp"
#include "outcome.hpp"
#include "progress.hpp"
#include "reports.hpp"
#include "run_record.hpp"
#include "store.hpp"
#include "sweep.hpp"
#include "workload.hpp"

namespace vckv::harness {

std::string default_test_name(const std::vector<FaultKind>& faults) {
  std::string name = nemesis_name(faults);
  std::replace(name.begin(), name.end(), ',', '+');
  return "kv-" + name;
}

namespace {

using json = nlohmann::json;

Micros from_ms(double ms) { return static_cast<Micros>(std::llround(ms * 1000)); }
double to_ms(Micros us) { return static_cast<double>(us) / 1000.0; }
double to_s(Micros us) { return static_cast<double>(us) / 1e6; }
class Runner {
 public:
  Runner(HarnessConfig config, std::ostream& out)
      : cfg_(std::move(config)), out_(out), rng_(cfg_.seed),
        progress_(out, cfg_.tty, cfg_.progress_interval_s) {}

  RunResult run();

 private:
  struct SimClient {
    SimClient(std::size_t index, std::size_t slots) : model(index, slots) {}
    ClientModel model;
    bool busy = false;
    Micros next_start = 0;
    // A read whose write comes next.
    std::optional<std::int64_t> read_key;
    std::uint64_t read_index = 0;
    std::string read_node;
    std::vector<VectorClock> read_clocks;
  };
  enum class Phase { kStarting, kWorkload, kRecovery, kFinalReads, kDone };

  void tick(Micros t);
  std::optional<Micros> next_wake() const;
  void update_faults(Micros t);
  void begin_fault(const FaultPeriod& f, Micros t);
  void end_fault(const FaultPeriod& f, Micros t, bool final_heal);
  void nemesis_event(Micros t, const std::string& f, const std::string& value);
  void start_client_op(SimClient& c, Micros t);
  void complete_client_op(SimClient& c, OpRecord op, std::uint64_t index, const Classified& cls,
                          const json* reply, Micros invoke, Micros t);
  void show_progress(Micros t, bool force);
  // One round of reads, or nullopt when `deadline` came first.
  std::optional<ProbeRound> probe(Micros deadline);
  std::optional<SweepStates> final_reads();
  void finish(const std::optional<SweepStates>& states);

  HarnessConfig cfg_;
  std::ostream& out_;
  Rng rng_;
  Progress progress_;
  RunRecord rec_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<HistoryWriter> history_;
  std::unique_ptr<Cluster> cluster_;
  std::vector<std::unique_ptr<SimClient>> clients_;
  Phase phase_ = Phase::kStarting;
  std::vector<FaultPeriod> schedule_;  // absolute times
  std::optional<std::size_t> active_;
  std::vector<WriteRecord> writes_;
  std::uint64_t next_op_index_ = 0;
  std::size_t ok_ = 0, fail_ = 0, info_ = 0;
  const ReadSweep* sweep_ = nullptr;  // the reads under way, for the progress line
};

void Runner::nemesis_event(Micros t, const std::string& f, const std::string& value) {
  history_->write(harness::nemesis_event(f, value, to_ms(t)));
  char head[48];
  std::snprintf(head, sizeof head, "[%7.1f s] nemesis: ", to_s(t));
  progress_.line(head + f + (value.empty() ? "" : " " + value));
}

void Runner::begin_fault(const FaultPeriod& f, Micros t) {
  switch (f.kind) {
    case FaultKind::kPartition:
      cluster_->set_partition(f.partition);
      nemesis_event(t, "partition", f.partition.description());
      break;
    case FaultKind::kKill:
      for (const std::string& n : f.nodes) {
        cluster_->kill(n);
        nemesis_event(t, "kill", n);
      }
      break;
    case FaultKind::kPause:
      for (const std::string& n : f.nodes) {
        cluster_->pause(n);
        nemesis_event(t, "pause", n);
      }
      break;
  }
}

void Runner::end_fault(const FaultPeriod& f, Micros t, bool final_heal) {
  switch (f.kind) {
    case FaultKind::kPartition:
      cluster_->set_partition(Partition{});
      nemesis_event(t, "heal", final_heal ? "(final heal)" : "");
      break;
    case FaultKind::kKill:
      for (const std::string& n : f.nodes) {
        if (cluster_->failure()) break;  // the run is over: nothing to restart for
        cluster_->restart(n);
        nemesis_event(t, "restart", n);
      }
      break;
    case FaultKind::kPause:
      for (const std::string& n : f.nodes) {
        cluster_->resume(n);
        nemesis_event(t, "resume", n);
      }
      break;
  }
  // The record keeps the period as it really was.
  FaultPeriod done = f;
  done.end = t;
  rec_.faults.push_back(std::move(done));
}

void Runner::update_faults(Micros t) {
  std::optional<std::size_t> active;
  if (phase_ == Phase::kWorkload) {
    for (std::size_t i = 0; i < schedule_.size(); ++i) {
      if (schedule_[i].start <= t && t < schedule_[i].end) active = i;
    }
  }
  if (active == active_) return;
  if (active_) end_fault(schedule_[*active_], t, false);
  active_ = active;
  if (active_) begin_fault(schedule_[*active_], t);
}

void Runner::tick(Micros t) {
  update_faults(t);
  if (phase_ == Phase::kWorkload) {
    for (auto& c : clients_) {
      if (!c->busy && c->next_start <= t) start_client_op(*c, t);
    }
  }
  show_progress(t, false);
}

std::optional<Micros> Runner::next_wake() const {
  std::optional<Micros> wake;
  auto consider = [&](Micros w) { wake = wake ? std::min(*wake, w) : w; };
  const Micros t = cluster_->now();
  if (phase_ == Phase::kWorkload) {
    for (const auto& c : clients_) {
      if (!c->busy) consider(c->next_start);
    }
    for (const FaultPeriod& p : schedule_) {
      if (p.start > t) consider(p.start);
      if (p.end > t) consider(p.end);
    }
  }
  // The progress line.
  consider(t + (cfg_.tty ? 250'000 : from_ms(std::max(cfg_.progress_interval_s, 0.25) * 1000)));
  return wake;
}

void Runner::show_progress(Micros t, bool force) {
  ProgressCounts c;
  c.time_s = to_s(t);
  c.phase = phase_ == Phase::kWorkload ? "workload" : phase_ == Phase::kRecovery ? "recovery"
            : phase_ == Phase::kFinalReads ? "final reads" : "starting";
  c.ops = ok_ + fail_ + info_;
  c.ok = ok_;
  c.fail = fail_;
  c.info = info_;
  c.writes_acknowledged = rec_.acknowledged;
  if (active_) c.fault = schedule_[*active_].description();
  if (sweep_) {
    c.reads_done = sweep_->settled();
    c.reads_total = sweep_->total();
  }
  progress_.update(c, force);
}

void Runner::start_client_op(SimClient& c, Micros t) {
  const auto& nodes = cluster_->node_ids();
  std::uniform_int_distribution<std::size_t> pick_node(0, nodes.size() - 1);
  std::uniform_real_distribution<double> coin(0, 1);
  OpRecord op;
  op.client = c.model.name();
  json body;
  std::optional<PlannedWrite> write;
  // For the history: the read a write follows, or that it is blind.
  std::optional<std::uint64_t> basis_read;
  bool blind = false;
  if (c.read_key) {
    basis_read = c.read_index;
    op.key = *c.read_key;
    op.node = c.read_node;
    if (nodes.size() > 1 && coin(rng_) < cfg_.other_node_fraction) {
      while (op.node == c.read_node) op.node = nodes[pick_node(rng_)];
    }
    write = c.model.write_after_read(op.key, c.read_clocks);
    c.read_key.reset();
  } else {
    op.key = static_cast<std::int64_t>(std::uniform_int_distribution<std::size_t>(0, cfg_.keys - 1)(rng_));
    op.node = nodes[pick_node(rng_)];
    if (coin(rng_) < cfg_.blind_write_fraction) {
      write = c.model.blind_write(op.key);
      blind = true;
    }
  }
  if (write) {
    op.f = write->resolve ? "resolve" : "put";
    body = {{"type", write->resolve ? "kv_resolve" : "kv_put"}, {"key", op.key},
            {"value", json::parse(write->value)}, {"clock", write->clock.slots()}};
    writes_.push_back(WriteRecord{op.client, op.key, write->value, write->clock, WriteOutcome::kIndeterminate});
  } else {
    op.f = "get";
    body = {{"type", "kv_get"}, {"key", op.key}};
  }
  c.busy = true;
  ++rec_.workload_requests;
  const std::uint64_t index = next_op_index_++;
  const std::optional<std::size_t> write_index = write ? std::optional(writes_.size() - 1) : std::nullopt;
  json request = body;
  const std::uint64_t msg_id = cluster_->request(
      op.client, op.node, std::move(body), from_ms(cfg_.timeout_ms),
      [this, &c, op, index, t, write_index](const json* reply, Micros done_at) mutable {
        const ReplyFacts facts = reply_facts(reply);
        const Classified cls = write_index ? classify_write(op.f, facts) : classify_get(facts);
        if (!cls.violation.empty()) {
          cluster_->fail(Verdict::kInvalid, "node " + op.node + " answered " + op.f + " of " + op.client + ": " +
                                                cls.violation + ": " + reply->dump().substr(0, 200));
          return;
        }
        op.op_class = cls.op_class;
        op.status = cls.status;
        if (write_index) {
          writes_[*write_index].outcome = cls.write;
          if (reply && reply->contains("siblings") && (*reply)["siblings"].is_number_unsigned()) {
            op.siblings = (*reply)["siblings"].get<int>();
          }
        } else if (op.op_class == OpClass::kOk) {
          auto values = parse_values(*reply);
          if (!values) {
            cluster_->fail(Verdict::kInvalid, "node " + op.node + " sent a malformed kv_get_ok: " +
                                                  reply->dump().substr(0, 200));
            return;
          }
          op.siblings = static_cast<int>(values->size());
          c.read_key = op.key;
          c.read_index = index;
          c.read_node = op.node;
          c.read_clocks.clear();
          for (const StoredVersion& v : *values) c.read_clocks.push_back(v.clock);
        }
        complete_client_op(c, std::move(op), index, cls, reply, t, done_at);
      });
  request["msg_id"] = msg_id;
  json invoke = invoke_event(index, op.client, op.f, op.key, op.node, to_ms(t), std::move(request));
  if (basis_read) invoke["read_index"] = *basis_read;
  if (blind) invoke["blind"] = true;
  history_->write(invoke);
}

void Runner::complete_client_op(SimClient& c, OpRecord op, std::uint64_t index, const Classified& cls,
                                const json* reply, Micros invoke, Micros t) {
  op.invoke_s = to_s(invoke);
  op.latency_ms = to_ms(t - invoke);
  const char* type = jepsen_type(op.op_class);
  history_->write(completion_event(index, op.client, op.f, op.key, op.node, to_ms(t), op.latency_ms, cls, reply,
                                   op.siblings));
  if (op.f != "get") {
    if (op.op_class == OpClass::kOk || op.op_class == OpClass::kConflict) ++rec_.acknowledged;
    else if (op.op_class == OpClass::kIndeterminate) ++rec_.indeterminate;
    else ++rec_.rejected;
  }
  (std::string(type) == "ok" ? ok_ : std::string(type) == "fail" ? fail_ : info_)++;
  rec_.ops.push_back(std::move(op));
  c.busy = false;
  // Each client asks at rate/concurrency on average, with exponential gaps.
  const double mean_gap_us = static_cast<double>(clients_.size()) / cfg_.rate * 1e6;
  const auto gap = static_cast<Micros>(std::exponential_distribution<double>(1 / mean_gap_us)(rng_));
  c.next_start = std::max(t, invoke + gap);
}

std::vector<json> workload_keys(std::size_t n) {
  std::vector<json> keys;
  for (std::size_t k = 0; k < n; ++k) keys.emplace_back(static_cast<std::int64_t>(k));
  return keys;
}

std::optional<ProbeRound> Runner::probe(Micros deadline) {
  ProbeRound round;
  const Micros start = cluster_->now();
  round.start_s = to_s(start);
  ReadSweep sweep(*cluster_, cluster_->node_ids(), workload_keys(cfg_.keys),
                  {cfg_.read_concurrency, from_ms(cfg_.timeout_ms), 1});
  sweep_ = &sweep;
  sweep.start();
  cluster_->pump(deadline, [&] { return sweep.done(); });
  sweep_ = nullptr;
  if (!sweep.done()) return std::nullopt;
  round.end_s = to_s(cluster_->now());
  round.complete = sweep.failures().empty();
  if (round.complete) {
    round.disagreeing_keys = disagreeing_keys(sweep.states());
    round.keys_with_siblings = keys_with_siblings(sweep.states()).size();
  }
  return round;
}

std::optional<SweepStates> Runner::final_reads() {
  const std::size_t n = cluster_->node_ids().size();
  progress_.line("final reads: " + std::to_string(n * cfg_.keys) + " (" + std::to_string(cfg_.keys) + " keys from each of " +
                 std::to_string(n) + " nodes), at most " + std::to_string(cfg_.read_concurrency) +
                 " in flight per node, up to " + std::to_string(cfg_.final_read_attempts) + " attempts each");
  ReadSweep sweep(*cluster_, cluster_->node_ids(), workload_keys(cfg_.keys),
                  {cfg_.read_concurrency, from_ms(cfg_.timeout_ms), cfg_.final_read_attempts});
  const Micros start = cluster_->now();
  sweep_ = &sweep;
  sweep.start();
  // Bounded anyway: every read has a bounded number of attempts with a timeout each.
  cluster_->pump(std::numeric_limits<Micros>::max() / 2, [&] { return sweep.done(); });
  sweep_ = nullptr;
  rec_.final_read_retries = sweep.retries();
  if (cluster_->failure()) return std::nullopt;
  ProbeRound round;
  round.start_s = to_s(start);
  round.end_s = to_s(cluster_->now());
  round.complete = sweep.failures().empty();
  if (!sweep.failures().empty()) {
    rec_.rounds.push_back(round);
    cluster_->fail(Verdict::kUnknown, "final reads failed: " + sweep.failures().front() +
                                          (sweep.failures().size() > 1
                                               ? " (and " + std::to_string(sweep.failures().size() - 1) + " more)"
                                               : ""));
    return std::nullopt;
  }
  round.disagreeing_keys = disagreeing_keys(sweep.states());
  round.keys_with_siblings = keys_with_siblings(sweep.states()).size();
  rec_.rounds.push_back(round);
  return sweep.states();
}

RunResult Runner::run() {
  ::signal(SIGPIPE, SIG_IGN);
  RunResult result;
  rec_.config = cfg_;
  rec_.test_name = cfg_.test_name.empty() ? default_test_name(cfg_.faults) : cfg_.test_name;
  std::string error;
  auto dir = make_run_dir(cfg_.store, rec_.test_name, std::time(nullptr), error);
  if (!dir) {
    out_ << "vckv-harness: " << error << std::endl;
    result.harness_error = true;
    return result;
  }
  rec_.dir = *dir;
  result.store_dir = *dir;
  rec_.warnings = nemesis_warnings(cfg_.faults, cfg_.node_count, cfg_.nemesis_interval_s, cfg_.time_limit_s);

  journal_ = std::make_unique<Journal>(rec_.dir + "/net.jsonl");
  history_ = std::make_unique<HistoryWriter>(rec_.dir);
  ClusterOptions copts;
  copts.bin = cfg_.bin;
  copts.node_args = cfg_.node_args;
  if (cfg_.conflict == ConflictMode::kLww) copts.node_args.push_back("--conflict=lww");
  for (std::size_t i = 1; i <= cfg_.node_count; ++i) copts.node_ids.push_back("n" + std::to_string(i));
  copts.latency = LatencyModel{cfg_.latency_dist, cfg_.latency_ms};
  copts.init_timeout_s = cfg_.init_timeout_s;
  copts.log_dir = rec_.dir + "/node-logs";
  copts.stop_grace_ms = cfg_.stop_grace_ms;
  cluster_ = std::make_unique<Cluster>(copts, rng_, *journal_);
  cluster_->set_event_sink([this](const std::string& text) {
    char head[48];
    std::snprintf(head, sizeof head, "[%7.1f s] ", to_s(cluster_->now()));
    progress_.line(head + text);
  });

  out_ << "vckv-harness: " << cfg_.node_count << " nodes of " << cfg_.bin << ", nemesis "
       << nemesis_name(cfg_.faults) << ", store " << rec_.dir << std::endl;
  for (const std::string& w : rec_.warnings) out_ << "warning: " << w << std::endl;

  std::optional<SweepStates> states;
  if (cluster_->start()) {
    cluster_->set_driver({[this](Micros t) { tick(t); }, [this] { return next_wake(); }});
    for (std::size_t i = 1; i <= cfg_.concurrency; ++i) {
      clients_.push_back(std::make_unique<SimClient>(i, cfg_.concurrency));
    }
    const Micros start = cluster_->now();
    const Micros end = start + from_ms(cfg_.time_limit_s * 1000);
    rec_.workload_start_s = to_s(start);
    schedule_ = make_fault_schedule(cluster_->node_ids(), cfg_.faults, from_ms(cfg_.nemesis_interval_s * 1000),
                                    end - start, cfg_.max_down, rng_, cfg_.partition_shapes);
    for (FaultPeriod& p : schedule_) {
      p.start += start;
      p.end += start;
    }
    progress_.line("workload: " + json(cfg_.time_limit_s).dump() + " s, " + std::to_string(cfg_.concurrency) +
                   " clients, " + json(cfg_.rate).dump() + " requests/s over " + std::to_string(cfg_.keys) + " keys; " +
                   std::to_string(schedule_.size()) + " faults scheduled");
    phase_ = Phase::kWorkload;
    for (auto& c : clients_) c->next_start = start;
    cluster_->pump(end);
    // The final heal: every fault ends, requests still out finish (or time out) while the
    // cluster recovers without client writes.
    const Micros heal = cluster_->now();
    if (active_) end_fault(schedule_[*active_], heal, true);
    active_.reset();
    phase_ = Phase::kRecovery;
    rec_.final_heal_s = to_s(heal);
    nemesis_event(heal, "final-heal", "");
    progress_.line("recovery: " + json(cfg_.recovery_time_s).dump() + " s without client writes" +
                   (cfg_.probe_interval_ms > 0 ? ", every key read from every node every " +
                                                     json(cfg_.probe_interval_ms).dump() + " ms"
                                               : ""));
    const Micros recovery_end = heal + from_ms(cfg_.recovery_time_s * 1000);
    if (cfg_.probe_interval_ms > 0) {
      while (!cluster_->failure() && cluster_->now() + from_ms(cfg_.probe_interval_ms) < recovery_end) {
        std::optional<ProbeRound> round = probe(recovery_end);
        if (!round) break;  // cut short by the end of the recovery: it says nothing
        rec_.rounds.push_back(*round);
        cluster_->pump(from_ms(round->start_s * 1000 + cfg_.probe_interval_ms));
      }
    }
    cluster_->pump(recovery_end);
    // Requests still out finish (or time out) before the final reads.
    cluster_->pump(cluster_->now() + from_ms(cfg_.timeout_ms) + 1'000'000, [&] {
      return std::none_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->busy; });
    });
    rec_.recovery_end_s = to_s(cluster_->now());
    if (!cluster_->failure()) {
      phase_ = Phase::kFinalReads;
      states = final_reads();
    }
  }
  phase_ = Phase::kDone;
  progress_.finish();
  finish(states);
  result.verdict = rec_.verdict;
  return result;
}

void Runner::finish(const std::optional<SweepStates>& states) {
  if (states && !cluster_->failure()) {
    std::map<std::string, NodeState> final_states;
    for (const auto& [node, by_key] : *states) {
      NodeState& ns = final_states[node];
      for (const auto& [key, siblings] : by_key) ns[std::stoll(key)] = siblings;
    }
    CheckOptions options;
    options.mode = cfg_.conflict;
    rec_.check = check(writes_, final_states, options);
    std::ofstream(rec_.dir + "/final-state.json")
        << final_state_text(final_state_json(*states, cluster_->node_ids(), round3(to_ms(cluster_->now()))));
    rec_.keys_with_siblings = keys_with_siblings(*states);
  }
  rec_.exits = cluster_->stop_all();
  rec_.failure = cluster_->failure();
  rec_.late_replies = cluster_->late_replies();
  if (auto last = cluster_->last_node_delivery()) rec_.last_node_delivery_s = to_s(*last);
  rec_.ended_s = to_s(cluster_->now());
  journal_->close();
  history_->close();
  rec_.messages = journal_->stats();
  if (rec_.failure) {
    rec_.verdict = rec_.failure->first;
  } else if (rec_.check) {
    rec_.verdict = rec_.check->valid() ? Verdict::kValid : Verdict::kInvalid;
  } else {
    rec_.verdict = Verdict::kUnknown;
  }
  write_reports(rec_, out_);
}

}  // namespace

RunResult run_test(const HarnessConfig& config, std::ostream& out) {
  Runner runner(config, out);
  return runner.run();
}

}  // namespace vckv::harness
