#include "harness/runner.hpp"

#include "reports/explain_store.hpp"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "harness/cluster/cluster.hpp"
#include "harness/cluster/fault_recorder.hpp"
#include "harness/cluster/journal.hpp"
#include "harness/cluster/digest.hpp"
#include "harness/cluster/sweep.hpp"
#include "harness/progress.hpp"
#include "model/check/checker.hpp"
#include "model/check/outcome.hpp"
#include "model/faults/schedule.hpp"
#include "model/rng.hpp"
#include "model/workload/client.hpp"
#include "model/workload/operation.hpp"
#include "reports/explain_store.hpp"
#include "reports/files/final_state.hpp"
#include "reports/files/format.hpp"
#include "reports/files/history_log.hpp"
#include "reports/files/run_archive.hpp"
#include "reports/files/run_record.hpp"
#include "reports/write_reports.hpp"

namespace vckv::harness {

std::string default_test_name(const std::vector<model::FaultKind>& faults) {
  std::string name = model::fault_list_name(faults);
  std::replace(name.begin(), name.end(), ',', '+');
  return "kv-" + name;
}

namespace {

using json = nlohmann::json;
using model::Classified;
using model::ClientModel;
using model::FaultPeriod;

using model::OpClass;
using model::Rng;
using model::Stream;
using model::VectorClock;
using model::WriteRecord;
using reports::HistoryWriter;
using reports::OpRecord;
using reports::ProbeRound;
using reports::ReadStates;
using reports::RunRecord;
using reports::TestConfig;

Micros from_ms(double ms) { return static_cast<Micros>(std::llround(ms * 1000)); }
double to_ms(Micros us) { return static_cast<double>(us) / 1000.0; }
double to_s(Micros us) { return static_cast<double>(us) / 1e6; }

class Runner {
 public:
  // Each concern draws from its own stream of the seed, as in the simulator: the same seed
  // and options give the same fault schedule in both.
  Runner(TestConfig config, std::ostream& out)
      : cfg_(std::move(config)), out_(out), net_rng_(cfg_.seed, Stream::kNetwork),
        fault_rng_(cfg_.seed, Stream::kFaults), client_rng_(cfg_.seed, Stream::kClients),
        progress_(out, cfg_.tty, cfg_.progress_interval_s) {}

  RunResult run();

 private:
  struct SimClient {
    SimClient(std::size_t index, std::size_t slots) : model(index, slots) {}
    SimClient(std::size_t index, std::size_t slots, bool server_clocks, bool blind_writer) : model(index, slots) {
      if (server_clocks) model.set_server_clocks(blind_writer);
    }
    ClientModel model;
    bool busy = false;
    Micros next_start = 0;
  };
  enum class Phase { kStarting, kWorkload, kRecovery, kFinalReads, kDone };

  void tick(Micros t);
  std::optional<Micros> next_wake() const;
  // The model's fault schedule for the workload from start to end, in the run's time.
  void make_schedule(Micros start, Micros end);
  void update_faults(Micros t);
  void nemesis_line(Micros t, const std::string& f, const std::string& value);
  void start_client_op(SimClient& c, Micros t);
  void complete_client_op(SimClient& c, OpRecord op, std::uint64_t index, const Classified& cls,
                          const json* reply, Micros invoke, Micros t);
  void show_progress(Micros t, bool force);
  // Server clocks (§17): a dvv_*_ok's dot and vector into its write's record, or a dvv_get_ok
  // into reads_ and the client's kept context. False when malformed.
  bool dvv_reply(SimClient& c, OpRecord& op, std::uint64_t index, std::optional<std::size_t> write_index,
                 std::size_t node_index, const json& reply);
  // One round of reads, or nullopt when `deadline` came first.
  std::optional<ProbeRound> probe(Micros deadline);
  struct FinalReads {
    ReadStates states;
    reports::HintStates hints;  // with a ring (local_get); empty otherwise
  };
  std::optional<FinalReads> final_reads();
  std::string get_type() const { return cfg_.server_clocks ? "dvv_get" : "kv_get"; }
  void finish(const std::optional<FinalReads>& reads);

  TestConfig cfg_;
  std::ostream& out_;
  Rng net_rng_, fault_rng_, client_rng_;
  Progress progress_;
  RunRecord rec_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<HistoryWriter> history_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<FaultRecorder> faults_;
  model::WorkloadOptions workload_;
  model::Placement placement_;  // where each key lives: every node, or the §14 ring
  std::vector<std::unique_ptr<SimClient>> clients_;
  Phase phase_ = Phase::kStarting;
  std::vector<FaultPeriod> schedule_;  // absolute times
  std::size_t next_bounce_ = 1;        // the active bounce period's next bounce (its first is its beginning)
  std::optional<std::size_t> active_;
  std::vector<WriteRecord> writes_;
  std::vector<model::ReadRecord> reads_;  // server clocks: every answered dvv_get
  std::uint64_t next_op_index_ = 0;
  std::size_t ok_ = 0, fail_ = 0, info_ = 0;
  const ReadSweep* sweep_ = nullptr;  // the reads under way, for the progress line
  std::unique_ptr<DigestPoller> digest_;  // during the recovery (--digest-interval-ms)
};

void Runner::nemesis_line(Micros t, const std::string& f, const std::string& value) {
  char head[48];
  std::snprintf(head, sizeof head, "[%7.1f s] nemesis: ", to_s(t));
  progress_.line(head + f + (value.empty() ? "" : " " + value));
}

void Runner::make_schedule(Micros start, Micros end) {
  model::ScheduleOptions schedule;
  schedule.kinds = cfg_.faults;
  schedule.interval = from_ms(cfg_.nemesis_interval_s * 1000);
  schedule.until = end - start;
  schedule.max_down = cfg_.max_down;
  schedule.shapes = cfg_.partition_shapes;
  // Bounces follow each other by about a message's latency, at least 10 ms: a node process
  // takes a few ms to start.
  schedule.bounce_gap = from_ms(std::max(cfg_.latency_ms, 10.0));
  schedule.placement = &placement_;
  schedule.keys = cfg_.keys;
  schedule_ = model::make_fault_schedule(cluster_->node_ids(), schedule, fault_rng_);
  for (FaultPeriod& p : schedule_) {
    p.start += start;
    p.end += start;
    for (Micros& b : p.bounces) b += start;
  }
}

void Runner::update_faults(Micros t) {
  std::optional<std::size_t> active;
  if (phase_ == Phase::kWorkload) {
    for (std::size_t i = 0; i < schedule_.size(); ++i) {
      if (schedule_[i].start <= t && t < schedule_[i].end) active = i;
    }
  }
  if (active != active_) {
    if (active_) faults_->end(schedule_[*active_].kind, "", t);
    active_ = active;
    next_bounce_ = 1;
    if (active_) faults_->begin(schedule_[*active_], t);
  }
  // A bounce period's later bounces, each once, when due.
  if (active_) {
    const FaultPeriod& p = schedule_[*active_];
    while (next_bounce_ < p.bounces.size() && p.bounces[next_bounce_] <= t) {
      faults_->bounce(p, t);
      ++next_bounce_;
    }
  }
}

void Runner::tick(Micros t) {
  update_faults(t);
  if (digest_) digest_->tick(t);
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
      for (Micros b : p.bounces) {
        if (b > t) consider(b);
      }
    }
  }
  if (digest_) {
    if (const auto w = digest_->next_wake()) consider(*w);
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
  const model::PlannedOp planned = c.model.next_op(client_rng_, nodes.size(), workload_);
  OpRecord op;
  op.client = c.model.name();
  op.f = model::op_name(planned.kind);
  op.key = planned.key;
  op.node = nodes[planned.node];
  json body = json::parse(model::request_body(planned.kind, planned.key, planned.write ? &*planned.write : nullptr,
                                              std::nullopt));
  std::optional<std::size_t> write_index;
  if (planned.write) {
    write_index = writes_.size();
    writes_.push_back(WriteRecord{op.client, op.key, planned.write->value, planned.write->clock,
                                  model::WriteOutcome::kIndeterminate, planned.write->tombstone});
    if (planned.write->dotted) {
      WriteRecord& w = writes_.back();
      w.dotted = true;
      w.context = planned.write->context;
      w.blind_writer = c.model.blind_writer();
    }
    if (planned.write->tombstone) ++rec_.deletes;
  }
  c.busy = true;
  ++rec_.workload_requests;
  const std::uint64_t index = next_op_index_++;
  json request = body;
  const model::OpKind kind = planned.kind;
  const std::size_t node_index = planned.node;
  const std::uint64_t msg_id = cluster_->request(
      op.client, op.node, std::move(body), from_ms(cfg_.timeout_ms),
      [this, &c, op, index, t, write_index, kind, node_index](const json* reply, Micros done_at) mutable {
        const Classified cls = model::classify(kind, model::reply_facts(reply));
        if (!cls.violation.empty()) {
          cluster_->fail(model::Verdict::kInvalid, "node " + op.node + " answered " + op.f + " of " + op.client +
                                                       ": " + cls.violation + ": " + reply->dump().substr(0, 200));
          return;
        }
        op.op_class = cls.op_class;
        op.status = cls.status;
        if (model::is_dotted(kind) && op.op_class == OpClass::kOk && !dvv_reply(c, op, index, write_index, node_index, *reply)) {
          cluster_->fail(model::Verdict::kInvalid, "node " + op.node + " sent a malformed " + model::request_type(kind) +
                                                       "_ok: " + reply->dump().substr(0, 200));
          return;
        }
        if (write_index) {
          writes_[*write_index].outcome = cls.write;
          if (reply && reply->contains("siblings") && (*reply)["siblings"].is_number_unsigned()) {
            op.siblings = (*reply)["siblings"].get<int>();
          }
        } else if (op.op_class == OpClass::kOk && !model::is_dotted(kind)) {
          auto values = model::parse_values(*reply);
          if (!values) {
            cluster_->fail(model::Verdict::kInvalid, "node " + op.node + " sent a malformed kv_get_ok: " +
                                                         reply->dump().substr(0, 200));
            return;
          }
          op.siblings = static_cast<int>(values->size());
          std::vector<VectorClock> clocks;
          for (const model::StoredVersion& v : *values) clocks.push_back(v.clock);
          c.model.read_returned(op.key, node_index, std::move(clocks), index);
        }
        complete_client_op(c, std::move(op), index, cls, reply, t, done_at);
      });
  request["msg_id"] = msg_id;
  json invoke = reports::invoke_event(index, op.client, op.f, op.key, op.node, to_ms(t), std::move(request));
  if (planned.read_index) invoke["read_index"] = *planned.read_index;
  if (planned.blind) invoke["blind"] = true;
  history_->write(invoke);
}

bool Runner::dvv_reply(SimClient& c, OpRecord& op, std::uint64_t index, std::optional<std::size_t> write_index,
                       std::size_t node_index, const json& reply) {
  if (write_index) {
    auto r = model::parse_dvv_write_reply(reply);
    if (!r) return false;
    writes_[*write_index].dot = std::move(r->dot);
    writes_[*write_index].version_vector = std::move(r->version_vector);
    return true;
  }
  auto read = model::parse_dvv_get(reply);
  if (!read) return false;
  op.siblings = static_cast<int>(read->versions.size());
  reads_.push_back(model::ReadRecord{op.client, op.key, op.node, std::move(read->versions), read->context});
  c.model.dvv_read_returned(op.key, node_index, std::move(read->context), index);
  return true;
}

void Runner::complete_client_op(SimClient& c, OpRecord op, std::uint64_t index, const Classified& cls,
                                const json* reply, Micros invoke, Micros t) {
  op.invoke_s = to_s(invoke);
  op.latency_ms = to_ms(t - invoke);
  const char* type = jepsen_type(op.op_class);
  history_->write(reports::completion_event(index, op.client, op.f, op.key, op.node, to_ms(t), op.latency_ms, cls, reply,
                                   op.siblings));
  if (op.f != "get" && op.f != "dvv_get") {
    if (op.op_class == OpClass::kOk || op.op_class == OpClass::kConflict) {
      ++rec_.acknowledged;
      if (op.f == "delete" || op.f == "dvv_delete") ++rec_.deletes_acknowledged;
    }
    else if (op.op_class == OpClass::kIndeterminate) ++rec_.indeterminate;
    else ++rec_.rejected;
  }
  (std::string(type) == "ok" ? ok_ : std::string(type) == "fail" ? fail_ : info_)++;
  rec_.ops.push_back(std::move(op));
  c.busy = false;
  // Each client asks at rate/concurrency on average.
  const auto mean_gap = static_cast<Micros>(std::llround(static_cast<double>(clients_.size()) / cfg_.rate * 1e6));
  c.next_start = ClientModel::next_start(client_rng_, invoke, t, mean_gap);
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
                  {cfg_.read_concurrency, from_ms(cfg_.timeout_ms), 1, !placement_.every_node(), get_type()});
  sweep_ = &sweep;
  sweep.start();
  cluster_->pump(deadline, [&] { return sweep.done(); });
  sweep_ = nullptr;
  if (!sweep.done()) return std::nullopt;
  round.end_s = to_s(cluster_->now());
  round.complete = sweep.failures().empty();
  if (round.complete) {
    round.disagreeing_keys = reports::disagreeing_keys(sweep.states(), &placement_, sweep.hints());
    round.keys_with_siblings = reports::keys_with_siblings(sweep.states()).size();
  }
  return round;
}

std::optional<Runner::FinalReads> Runner::final_reads() {
  const std::size_t n = cluster_->node_ids().size();
  progress_.line("final reads: " + std::to_string(n * cfg_.keys) + " (" + std::to_string(cfg_.keys) + " keys from each of " +
                 std::to_string(n) + " nodes), at most " + std::to_string(cfg_.read_concurrency) +
                 " in flight per node, up to " + std::to_string(cfg_.final_read_attempts) + " attempts each");
  ReadSweep sweep(*cluster_, cluster_->node_ids(), workload_keys(cfg_.keys),
                  {cfg_.read_concurrency, from_ms(cfg_.timeout_ms), cfg_.final_read_attempts, !placement_.every_node(),
                   get_type()});
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
    cluster_->fail(model::Verdict::kUnknown, "final reads failed: " + sweep.failures().front() +
                                          (sweep.failures().size() > 1
                                               ? " (and " + std::to_string(sweep.failures().size() - 1) + " more)"
                                               : ""));
    return std::nullopt;
  }
  round.disagreeing_keys = reports::disagreeing_keys(sweep.states(), &placement_, sweep.hints());
  round.keys_with_siblings = reports::keys_with_siblings(sweep.states()).size();
  rec_.rounds.push_back(round);
  return FinalReads{sweep.states(), sweep.hints()};
}

RunResult Runner::run() {
  ::signal(SIGPIPE, SIG_IGN);
  RunResult result;
  rec_.config = cfg_;
  rec_.test_name = cfg_.test_name.empty() ? default_test_name(cfg_.faults) : cfg_.test_name;
  std::string error;
  auto dir = reports::make_run_dir(cfg_.store, rec_.test_name, std::time(nullptr), error);
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
  // Absolute: the nodes must find it whatever directory they run in.
  if (!cfg_.data_dir.empty()) copts.data_dir = std::filesystem::absolute(cfg_.data_dir).string();
  if (cfg_.conflict == model::ConflictMode::kLww) copts.node_args.push_back("--conflict=lww");
  if (cfg_.server_clocks) {
    // §17: in a cluster a node must never issue a dot twice, across restarts: its per-key
    // counters on disk, synced before the reply.
    copts.node_args.push_back("--clocks=server");
    if (cfg_.node_count > 1 && copts.data_dir.empty()) {
      copts.data_dir = std::filesystem::absolute(rec_.dir + "/data").string();
      out_ << "vckv-harness: --clocks server in a cluster needs --data-dir: the nodes keep their stores in "
           << copts.data_dir << " (--fsync batch)" << std::endl;
    }
    if (cfg_.node_count > 1) copts.node_args.push_back("--fsync=batch");
  }
  // §14: only when asked for, so that a run without a ring starts the nodes exactly as before.
  if (cfg_.replicas != 0) copts.node_args.push_back("--replicas=" + std::to_string(cfg_.replicas));
  if (cfg_.replicas != 0 || cfg_.vnodes != Ring::kDefaultVnodes) {
    copts.node_args.push_back("--vnodes=" + std::to_string(cfg_.vnodes));
  }
  for (std::size_t i = 1; i <= cfg_.node_count; ++i) copts.node_ids.push_back("n" + std::to_string(i));
  placement_ = model::Placement(copts.node_ids, cfg_.replicas, cfg_.vnodes);
  workload_.keys = cfg_.keys;
  workload_.blind_write_ppm = static_cast<std::uint32_t>(std::llround(cfg_.blind_write_fraction * 1e6));
  workload_.other_node_ppm = static_cast<std::uint32_t>(std::llround(cfg_.other_node_fraction * 1e6));
  workload_.delete_ppm = static_cast<std::uint32_t>(std::llround(cfg_.delete_share * 1e6));
  copts.latency = model::LatencyModel{cfg_.latency_dist, from_ms(cfg_.latency_ms)};
  copts.init_timeout_s = cfg_.init_timeout_s;
  copts.log_dir = rec_.dir + "/node-logs";
  copts.stop_grace_ms = cfg_.stop_grace_ms;
  cluster_ = std::make_unique<Cluster>(copts, net_rng_, *journal_);
  faults_ = std::make_unique<FaultRecorder>(*cluster_, *history_);
  faults_->set_event_sink([this](Micros t, const std::string& f, const std::string& value) { nemesis_line(t, f, value); });
  cluster_->set_event_sink([this](const std::string& text) {
    char head[48];
    std::snprintf(head, sizeof head, "[%7.1f s] ", to_s(cluster_->now()));
    progress_.line(head + text);
  });

  out_ << "vckv-harness: " << cfg_.node_count << " nodes of " << cfg_.bin << ", nemesis "
       << model::fault_list_name(cfg_.faults) << ", store " << rec_.dir << std::endl;
  for (const std::string& w : rec_.warnings) out_ << "warning: " << w << std::endl;

  std::optional<FinalReads> states;
  if (cluster_->start()) {
    cluster_->set_driver({[this](Micros t) { tick(t); }, [this] { return next_wake(); }});
    for (std::size_t i = 1; i <= cfg_.concurrency; ++i) {
      clients_.push_back(std::make_unique<SimClient>(i, cfg_.concurrency, cfg_.server_clocks, i <= cfg_.blind_writers));
    }
    const Micros start = cluster_->now();
    const Micros end = start + from_ms(cfg_.time_limit_s * 1000);
    rec_.workload_start_s = to_s(start);
    make_schedule(start, end);
    progress_.line("workload: " + json(cfg_.time_limit_s).dump() + " s, " + std::to_string(cfg_.concurrency) +
                   " clients, " + json(cfg_.rate).dump() + " requests/s over " + std::to_string(cfg_.keys) + " keys; " +
                   std::to_string(schedule_.size()) + " faults scheduled");
    phase_ = Phase::kWorkload;
    for (auto& c : clients_) c->next_start = start;
    cluster_->pump(end);
    // The final heal: every fault ends, requests still out finish (or time out) while the
    // cluster recovers without client writes.
    const Micros heal = cluster_->now();
    if (active_) faults_->end(schedule_[*active_].kind, "", heal, true);
    active_.reset();
    phase_ = Phase::kRecovery;
    rec_.final_heal_s = to_s(heal);
    history_->write(reports::nemesis_event("final-heal", "", to_ms(heal)));
    nemesis_line(heal, "final-heal", "");
    progress_.line("recovery: " + json(cfg_.recovery_time_s).dump() + " s without client writes" +
                   (cfg_.digest_interval_ms > 0 ? ", every node's tree roots every " +
                                                      json(cfg_.digest_interval_ms).dump() + " ms"
                                                : "") +
                   (cfg_.probe_interval_ms > 0 ? ", every key read from every node every " +
                                                     json(cfg_.probe_interval_ms).dump() + " ms"
                                               : ""));
    const Micros recovery_end = heal + from_ms(cfg_.recovery_time_s * 1000);
    if (cfg_.digest_interval_ms > 0) {
      digest_ = std::make_unique<DigestPoller>(*cluster_, from_ms(cfg_.digest_interval_ms), from_ms(cfg_.timeout_ms));
      digest_->tick(heal);
    }
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
    if (digest_) {
      digest_->stop();
      rec_.digest_rounds = digest_->rounds();
      rec_.digest_unsupported = digest_->unsupported();
      if (!rec_.digest_unsupported.empty()) {
        rec_.warnings.push_back(rec_.digest_unsupported + ": no digest rounds, convergence timed by the probes");
      }
    }
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

void Runner::finish(const std::optional<FinalReads>& reads) {
  if (reads && !cluster_->failure()) {
    const std::map<std::string, model::NodeState> final_states = reports::node_states(reads->states);
    model::CheckOptions options;
    options.mode = cfg_.conflict;
    options.placement = &placement_;
    options.reads = &reads_;
    rec_.check = model::check(writes_, final_states, options, reports::node_hints(reads->hints));
    std::ofstream final_state(rec_.dir + "/final-state.json");
    reports::write_final_state(final_state, reads->states, cluster_->node_ids(), reports::round3(to_ms(cluster_->now())),
                               &placement_, reads->hints);
    rec_.keys_with_siblings = reports::keys_with_siblings(reads->states);
    rec_.keys_per_node = model::keys_per_node(final_states, cfg_.keys, placement_, cluster_->node_ids());
  }
  rec_.faults = faults_->periods();
  rec_.exits = cluster_->stop_all();
  for (const harness::Cluster::Reap& r : cluster_->reaps()) {
    rec_.reaps.push_back({r.line.node, r.line.key, r.line.clocks, r.line.told_by, to_s(r.at)});
  }
  rec_.failure = cluster_->failure();
  rec_.late_replies = cluster_->late_replies();
  if (auto last = cluster_->last_node_delivery()) rec_.last_node_delivery_s = to_s(*last);
  rec_.ended_s = to_s(cluster_->now());
  journal_->close();
  history_->close();
  rec_.messages = journal_->stats();
  if (rec_.check && !rec_.check->resurrections.empty()) {
    rec_.resurrection_paths = reports::resurrection_paths(rec_.dir + "/net.jsonl", *rec_.check, writes_);
  }
  if (rec_.failure) {
    rec_.verdict = rec_.failure->first;
  } else if (rec_.check) {
    rec_.verdict = rec_.check->valid() ? model::Verdict::kValid : model::Verdict::kInvalid;
  } else {
    rec_.verdict = model::Verdict::kUnknown;
  }
  reports::write_reports(rec_, out_);
}

}  // namespace

RunResult run_test(const TestConfig& config, std::ostream& out) {
  Runner runner(config, out);
  return runner.run();
}

}  // namespace vckv::harness
