// The repl's session: a cluster, a line reader that keeps the cluster running while it waits
// for input, and the commands' effects.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <set>
#include <utility>

#include "harness/cluster/cluster.hpp"
#include "harness/cluster/fault_recorder.hpp"
#include "harness/cluster/journal.hpp"
#include "harness/cluster/sweep.hpp"
#include "harness/repl.hpp"
#include "model/check/verdict.hpp"
#include "model/clock_text.hpp"
#include "model/faults/fault.hpp"
#include "model/rng.hpp"
#include "model/workload/operation.hpp"
#include "reports/draw/svg.hpp"
#include "reports/draw/timeline.hpp"
#include "reports/files/final_state.hpp"
#include "reports/files/format.hpp"
#include "reports/files/history_log.hpp"
#include "reports/files/run_archive.hpp"
#include "reports/files/run_view.hpp"

namespace vckv::harness {

namespace {

using json = nlohmann::json;
using model::FaultKind;
using model::FaultPeriod;


constexpr const char* kClient = "c1";

// Lines from a file descriptor; while none is complete, the cluster keeps running.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}

  std::optional<std::string> next(Cluster& cluster) {
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (eof_) {
        if (buf_.empty()) return std::nullopt;
        return std::exchange(buf_, std::string());
      }
      if (!cluster.failure()) {
        cluster.pump(cluster.now() + 50'000, [this] { return readable(0); });
      }
      if (readable(cluster.failure() ? -1 : 0)) {
        char chunk[4096];
        const ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n > 0) {
          buf_.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          eof_ = true;
        }
      }
    }
  }

 private:
  bool readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
  }
  int fd_;
  std::string buf_;
  bool eof_ = false;
};

class Session {
 public:
  Session(const ReplOptions& o, std::string dir)
      : o_(o), dir_(std::move(dir)), rng_(o.seed, model::Stream::kNetwork), journal_(dir_ + "/net.jsonl"),
        history_(dir_) {
    ClusterOptions c;
    c.bin = o.bin;
    c.node_args = o.node_args;
    if (!o.data_dir.empty()) c.data_dir = std::filesystem::absolute(o.data_dir).string();
    for (std::size_t i = 1; i <= o.node_count; ++i) c.node_ids.push_back("n" + std::to_string(i));
    c.latency = model::LatencyModel{*model::parse_latency_dist(o.latency_dist),
                                    static_cast<Micros>(std::llround(o.latency_ms * 1000))};
    c.log_dir = dir_ + "/node-logs";
    cluster_ = std::make_unique<Cluster>(c, rng_, journal_);
    faults_ = std::make_unique<FaultRecorder>(*cluster_, history_);
    cluster_->set_event_sink([](const std::string& text) { std::cerr << "(" << text << ")" << std::endl; });
  }

  int run();

 private:
  void execute(const ReplCommand& cmd);
  void request(const ReplCommand& cmd);
  void state(const std::vector<json>& keys);
  void touch(const json& key) {
    if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) keys_.push_back(key);
  }
  std::vector<std::string> live_nodes() const {
    std::vector<std::string> out;
    for (const std::string& n : cluster_->node_ids()) {
      if (cluster_->health(n) == NodeHealth::kUp) out.push_back(n);
    }
    return out;
  }
  void finish();

  const ReplOptions& o_;
  std::string dir_;
  model::Rng rng_;
  Journal journal_;
  reports::HistoryWriter history_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<FaultRecorder> faults_;  // the faults, applied and recorded as a test run's are
  std::vector<json> keys_;
  std::uint64_t next_index_ = 0;
};

void Session::request(const ReplCommand& cmd) {
  touch(cmd.key);
  const model::OpKind kind = cmd.verb == ReplVerb::kGet      ? model::OpKind::kGet
                            : cmd.verb == ReplVerb::kPut    ? model::OpKind::kPut
                            : cmd.verb == ReplVerb::kDelete ? model::OpKind::kDelete
                                                            : model::OpKind::kResolve;
  const std::string f = model::op_name(kind);
  json body{{"type", model::request_type(kind)}, {"key", cmd.key}};
  if (cmd.verb == ReplVerb::kPut || cmd.verb == ReplVerb::kResolve) body["value"] = cmd.value;
  if (cmd.verb != ReplVerb::kGet) body["clock"] = cmd.clock;
  const std::uint64_t index = next_index_++;
  const Micros t0 = cluster_->now();
  bool done = false;
  json request = body;
  const std::uint64_t msg_id = cluster_->request(
      kClient, cmd.node, std::move(body), static_cast<Micros>(o_.timeout_ms * 1000),
      [&](const json* reply, Micros at) {
        done = true;
        const model::Classified c = model::classify(kind, model::reply_facts(reply));
        int siblings = -1;
        if (reply && reply->contains("siblings") && (*reply)["siblings"].is_number_unsigned()) {
          siblings = (*reply)["siblings"].get<int>();
        }
        if (reply && f == "get" && reply->contains("values") && (*reply)["values"].is_array()) {
          siblings = static_cast<int>((*reply)["values"].size());
          if (reply->contains("deleted") && (*reply)["deleted"].is_array()) {
            siblings += static_cast<int>((*reply)["deleted"].size());
          }
        }
        history_.write(reports::completion_event(index, kClient, f, cmd.key, cmd.node, static_cast<double>(at) / 1000,
                                        static_cast<double>(at - t0) / 1000, c, reply, siblings));
        std::cout << describe_reply(cmd.node, cmd, reply, o_.timeout_ms);
        if (!c.violation.empty()) std::cout << " (breaks the protocol: " << c.violation << ")";
        std::cout << std::endl;
      });
  request["msg_id"] = msg_id;
  history_.write(reports::invoke_event(index, kClient, f, cmd.key, cmd.node, static_cast<double>(t0) / 1000, request));
  cluster_->pump(std::numeric_limits<Micros>::max() / 2, [&] { return done; });
  cluster_->cancel_requests(kClient);  // only if the cluster failed: the callback's locals go now
}

void Session::state(const std::vector<json>& wanted) {
  const std::vector<json> keys = wanted.empty() ? keys_ : wanted;
  if (keys.empty()) {
    std::cout << "no keys used yet" << std::endl;
    return;
  }
  const std::vector<std::string> live = live_nodes();
  ReadSweep sweep(*cluster_, live, keys, {16, static_cast<Micros>(o_.timeout_ms * 1000), 1});
  sweep.start();
  cluster_->pump(std::numeric_limits<Micros>::max() / 2, [&] { return sweep.done(); });
  for (const json& key : keys) {
    std::cout << "key " << key.dump() << ":" << std::endl;
    std::set<std::string> sets;
    for (const std::string& n : cluster_->node_ids()) {
      const NodeHealth h = cluster_->health(n);
      if (h != NodeHealth::kUp) {
        std::cout << "  " << n << ": (" << node_health_name(h) << ")" << std::endl;
        continue;
      }
      const auto& st = sweep.states().at(n);
      auto it = st.find(key.dump());
      std::cout << "  " << n << ": ";
      if (it == st.end()) {
        std::cout << "no value";
        sets.insert("");
      } else {
        for (std::size_t i = 0; i < it->second.size(); ++i) {
          const model::StoredVersion& v = it->second[i];
          std::cout << (i ? " | " : "") << (v.tombstone ? std::string("deleted") : v.value) << " "
                    << model::clock_text(v.clock);
        }
        sets.insert(model::canonical_set(it->second));
      }
      std::cout << std::endl;
    }
    if (!sweep.failures().empty()) {
      std::cout << "  (some reads failed: " << sweep.failures().front() << ")" << std::endl;
    } else {
      std::cout << (sets.size() <= 1 ? "  the nodes agree" : "  the nodes DISAGREE") << std::endl;
    }
  }
}

void Session::execute(const ReplCommand& cmd) {
  const std::string& n = cmd.node;
  switch (cmd.verb) {
    case ReplVerb::kNothing:
    case ReplVerb::kQuit:
      return;
    case ReplVerb::kHelp:
      std::cout << kReplHelp << std::flush;
      return;
    case ReplVerb::kPut:
    case ReplVerb::kResolve:
    case ReplVerb::kDelete:
    case ReplVerb::kGet:
      request(cmd);
      return;
    case ReplVerb::kPartition: {
      // A new partition replaces the one in force: that one heals first, at the same moment.
      const Micros t = cluster_->now();
      faults_->end(FaultKind::kPartition, "", t);
      FaultPeriod cut{t, t, FaultKind::kPartition, model::Partition::from_components("manual", cmd.groups), {}};
      faults_->begin(cut, t);
      std::cout << "partition: " << cut.partition.description().substr(std::string("manual: ").size()) << std::endl;
      return;
    }
    case ReplVerb::kHeal:
      if (!faults_->end(FaultKind::kPartition, "", cluster_->now())) cluster_->heal();
      std::cout << "healed" << std::endl;
      return;
    case ReplVerb::kKill: {
      if (cluster_->health(n) == NodeHealth::kDead) {
        std::cout << "error: " << n << " is already dead" << std::endl;
        return;
      }
      const Micros t = cluster_->now();
      faults_->close(FaultKind::kPause, n, t);  // a paused node dies paused
      faults_->begin(FaultPeriod{t, t, FaultKind::kKill, {}, {n}}, t);
      std::cout << "killed " << n << std::endl;
      return;
    }
    case ReplVerb::kRestart:
      if (cluster_->health(n) != NodeHealth::kDead) {
        std::cout << "error: " << n << " is " << node_health_name(cluster_->health(n)) << "; kill it first" << std::endl;
        return;
      }
      if (!faults_->end(FaultKind::kKill, n, cluster_->now())) cluster_->restart(n);
      cluster_->pump(std::numeric_limits<Micros>::max() / 2,
                     [&] { return cluster_->health(n) != NodeHealth::kStarting; });
      if (!cluster_->failure()) {
        std::cout << "restarted " << n << (o_.data_dir.empty() ? " (empty store" : " (with its data directory")
                  << ", init answered)" << std::endl;
      }
      return;
    case ReplVerb::kPause: {
      if (cluster_->health(n) != NodeHealth::kUp) {
        std::cout << "error: " << n << " is " << node_health_name(cluster_->health(n)) << std::endl;
        return;
      }
      const Micros t = cluster_->now();
      faults_->begin(FaultPeriod{t, t, FaultKind::kPause, {}, {n}}, t);
      std::cout << "paused " << n << std::endl;
      return;
    }
    case ReplVerb::kResume:
      if (cluster_->health(n) != NodeHealth::kPaused) {
        std::cout << "error: " << n << " is " << node_health_name(cluster_->health(n)) << ", not paused" << std::endl;
        return;
      }
      faults_->end(FaultKind::kPause, n, cluster_->now());
      std::cout << "resumed " << n << std::endl;
      return;
    case ReplVerb::kWait:
      cluster_->pump(cluster_->now() + static_cast<Micros>(cmd.wait_ms * 1000));
      return;
    case ReplVerb::kState:
      state(cmd.keys);
      return;
  }
}

void Session::finish() {
  // The final state of every key used, from the nodes that are up.
  if (!cluster_->failure() && !keys_.empty()) {
    ReadSweep sweep(*cluster_, live_nodes(), keys_, {16, static_cast<Micros>(o_.timeout_ms * 1000), 2});
    sweep.start();
    cluster_->pump(std::numeric_limits<Micros>::max() / 2, [&] { return sweep.done(); });
    std::ofstream final_state(dir_ + "/final-state.json");
    reports::write_final_state(final_state, sweep.states(), live_nodes(),
                               reports::round3(static_cast<double>(cluster_->now()) / 1000));
  }
  const Micros end = cluster_->now();
  const std::vector<FaultPeriod> faults = faults_->periods(end);
  const auto exits = cluster_->stop_all();
  journal_.close();
  history_.close();
  json exits_json = json::array();
  for (const NodeExit& e : exits) exits_json.push_back({{"node", e.node}, {"how", e.how}});
  const auto& failure = cluster_->failure();
  json results{{"test_name", "repl"},
               {"config", {{"mode", "repl"}, {"bin", o_.bin}, {"node_count", o_.node_count}, {"latency_ms", o_.latency_ms},
                           {"latency_dist", o_.latency_dist}, {"node_args", o_.node_args}, {"timeout_ms", o_.timeout_ms},
                           {"seed", o_.seed}}},
               {"verdict", failure ? model::verdict_name(failure->first) : "session"},
               {"reasons", failure ? json::array({failure->second}) : json::array()},
               {"faults", reports::faults_json(faults, cluster_->node_ids())},
               {"times_s", {{"end", reports::round3(static_cast<double>(end) / 1e6)}}},
               {"network", {{"by_type", journal_.stats().to_json()}}},
               {"node_exits", exits_json}};
  std::ofstream(dir_ + "/results.json") << results.dump(2) << '\n';
  std::string note;
  const std::string svg_error = reports::write_messages_svg(dir_, "messages.svg", 3000, -1, -1, note);
  const std::string timeline_error = reports::write_timeline(dir_, 20000, note);
  std::cerr << "session recorded in " << dir_ << "/ (history.txt, net.jsonl, messages.svg, timeline.html"
            << (keys_.empty() ? "" : ", final-state.json") << ")" << std::endl;
  if (!svg_error.empty()) std::cerr << "messages.svg not written: " << svg_error << std::endl;
  if (!timeline_error.empty()) std::cerr << "timeline.html not written: " << timeline_error << std::endl;
}

int Session::run() {
  if (!cluster_->start()) {
    std::cout << "error: " << cluster_->failure()->second << std::endl;
    finish();
    return model::kExitUnknown;
  }
  const bool interactive = ::isatty(STDIN_FILENO) == 1;
  const bool echo = o_.echo == "on" || (o_.echo == "auto" && !interactive);
  std::cout << cluster_->node_ids().size() << " nodes up:";
  for (const std::string& n : cluster_->node_ids()) std::cout << " " << n;
  std::cout << " (node-to-node latency " << o_.latency_ms << " ms " << o_.latency_dist << "); help lists the commands"
            << std::endl;
  LineReader reader(STDIN_FILENO);
  for (;;) {
    if (interactive) std::cout << "vckv> " << std::flush;
    auto line = reader.next(*cluster_);
    if (!line) break;
    const ReplParse parsed = parse_repl_line(*line, cluster_->node_ids());
    const bool comment = parsed.command && parsed.command->verb == ReplVerb::kNothing;
    if (echo) std::cout << (comment ? "" : "> ") << *line << std::endl;
    if (!parsed.command) {
      std::cout << "error: " << parsed.error << std::endl;
      continue;
    }
    if (parsed.command->verb == ReplVerb::kQuit) break;
    execute(*parsed.command);
    if (cluster_->failure()) {
      std::cout << "error: " << cluster_->failure()->second << "; the session ends" << std::endl;
      break;
    }
  }
  finish();
  if (cluster_->failure()) return model::exit_status(cluster_->failure()->first);
  return 0;
}

}  // namespace

int run_repl(const ReplOptions& o) {
  ::signal(SIGPIPE, SIG_IGN);
  std::string error;
  auto dir = reports::make_run_dir(o.store, "repl", std::time(nullptr), error, "latest-repl");
  if (!dir) {
    std::cerr << "repl: " << error << std::endl;
    return model::kExitHarnessError;
  }
  Session session(o, *dir);
  return session.run();
}

}  // namespace vckv::harness
