// A cluster of real node processes behind the virtual network: starts them and sends init,
// routes every line they print (node to node through the network with its latency, partitions
// and faults; replies straight to the waiting client), kills, restarts, pauses and resumes
// nodes (the model's FaultTarget for processes), and journals every message. One thread, one
// poll loop; it never blocks on a node.
// Used by `vckv-harness test` (with a workload) and `vckv-harness repl` (by hand).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/cluster/delivery_queue.hpp"
#include "harness/cluster/journal.hpp"
#include "harness/cluster/process.hpp"
#include "model/check/verdict.hpp"
#include "model/faults/fault.hpp"
#include "model/net/network.hpp"
#include "model/net/partition.hpp"
#include "model/reap_line.hpp"
#include "reports/files/run_record.hpp"

namespace vckv::harness {

struct ClusterOptions {
  std::string bin;
  std::vector<std::string> node_args;
  std::string data_dir;  // passed as --data-dir: each node's store in <data_dir>/<id>/
  std::vector<std::string> node_ids;  // n1..nN
  model::LatencyModel latency;               // node to node; client links have none
  double init_timeout_s = 10;
  std::string log_dir;                // node-logs/<id>.log
  int stop_grace_ms = 2000;
};

enum class NodeHealth { kStarting, kUp, kPaused, kDead };
const char* node_health_name(NodeHealth h);

using reports::NodeExit;

class Cluster : public model::FaultTarget {
 public:
  // The reply body, or nullptr when none came within the timeout.
  using Done = std::function<void(const nlohmann::json* reply, Micros at)>;
  // The owner's timers: tick runs at the top of every loop turn; next_wake says when it wants
  // the next turn at the latest.
  struct Driver {
    std::function<void(Micros now)> tick;
    std::function<std::optional<Micros>()> next_wake;
  };

  static constexpr const char* kControlClient = "c0";  // init, probes, final reads

  Cluster(ClusterOptions options, model::Rng& rng, Journal& journal);
  ~Cluster() override;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Microseconds since the cluster was created: the run's clock.
  Micros now() const;
  const std::vector<std::string>& node_ids() const { return options_.node_ids; }
  bool is_node(const std::string& id) const { return procs_.count(id) > 0; }

  // Spawns every node and sends init; runs the loop until all answered init_ok. False (and
  // failure() says why, verdict unknown, with the node's stderr) when one could not start.
  bool start();

  // Sends a request from `client` to `node`; `done` runs once, with the reply or on timeout.
  // Returns the msg_id it got.
  std::uint64_t request(const std::string& client, const std::string& node, nlohmann::json body,
               Micros timeout, Done done);
  // Forgets every request of `client` still waiting (their `done` will never run).
  void cancel_requests(const std::string& client);
  std::size_t waiting_requests() const { return pending_.size(); }

  // Runs the event loop until `until`, until `finished()` is true, or until a failure.
  void pump(Micros until, const std::function<bool()>& finished = [] { return false; });
  void set_driver(Driver driver) { driver_ = std::move(driver); }

  // Faults (model::FaultTarget). A partition applies to messages delivered from now on.
  void partition(const model::Partition& p) override { partition_ = p; }
  void heal() override { partition_ = model::Partition{}; }
  const model::Partition& partition() const { return partition_; }
  // SIGKILL; the node's output so far is still routed; messages to it are dropped from now on.
  void kill(const std::string& node) override;
  // Starts the same binary with the same arguments and sends init again (an empty store, or
  // what its data directory kept).
  void restart(const std::string& node) override;
  // SIGSTOP: messages to the node wait in the network until resume (SIGCONT).
  void pause(const std::string& node) override;
  void resume(const std::string& node) override;
  // Removes the node's data directory (<data_dir>/<id>/; nothing without one). Only while it
  // is dead: disk-loss kills, wipes, and restarts it at the period's end.
  void wipe(const std::string& node) override;
  NodeHealth health(const std::string& node) const { return health_.at(node); }
  std::size_t down_count() const;  // dead or paused

  // A failure stops the loop: a node broke the protocol or crashed (invalid), or could not
  // be started (unknown). The first one wins.
  void fail(model::Verdict v, std::string reason);
  const std::optional<std::pair<model::Verdict, std::string>>& failure() const { return failure_; }

  // Stops every node (SIGTERM, then SIGKILL after the grace), journals what is still in flight
  // and returns how each node process ended, restarts included.
  std::vector<NodeExit> stop_all();

  const Journal& journal() const { return journal_; }
  // Reaps (docs/protocol.md §16) the nodes logged on stderr, in the order they were read: the
  // log files are read every kLogScan (and at stop_all), so `at` is up to that late.
  struct Reap {
    model::ReapLine line;
    Micros at = 0;
  };
  const std::vector<Reap>& reaps() const { return reaps_; }
  static constexpr Micros kLogScan = 100'000;
  std::uint64_t late_replies() const { return late_replies_; }
  std::optional<Micros> last_node_delivery() const { return last_node_delivery_; }
  // Called for cluster events a person should see: a node restarted, a late init_ok...
  void set_event_sink(std::function<void(const std::string&)> sink) { event_sink_ = std::move(sink); }

 private:
  struct Pending {
    Micros deadline;
    Done done;
  };
  bool spawn(const std::string& id, bool restart);
  void send_init(const std::string& id, std::function<void(bool ok)> ready);
  void deliver_due(Micros t);
  void handle_line(const std::string& node, const std::string& line, Micros t);
  // The node closed a pipe (`what`): it exited, most likely. A failure either way.
  void node_output_ended(const std::string& node, const std::string& what);
  std::string stderr_tail(const std::string& node) const;
  std::string log_path(const std::string& node) const;
  // Reads what the nodes' log files gained since the last scan; keeps their reap lines.
  void scan_logs(Micros t);
  void event(const std::string& text) {
    if (event_sink_) event_sink_(text);
  }

  ClusterOptions options_;
  model::Rng& rng_;
  Journal& journal_;
  DeliveryQueue net_;
  std::chrono::steady_clock::time_point t0_;
  std::map<std::string, std::unique_ptr<NodeProcess>> procs_;
  std::map<std::string, NodeHealth> health_;
  std::set<std::string> dead_, paused_;
  std::vector<NodeExit> exits_;  // of killed processes
  model::Partition partition_;
  Driver driver_;
  std::map<std::pair<std::string, std::uint64_t>, Pending> pending_;
  std::map<std::string, std::uint64_t> next_msg_id_;
  std::optional<std::pair<model::Verdict, std::string>> failure_;
  std::optional<Micros> last_node_delivery_;
  std::uint64_t late_replies_ = 0;
  std::function<void(const std::string&)> event_sink_;
  std::vector<Reap> reaps_;
  std::map<std::string, std::uint64_t> log_read_;  // bytes of each log file read so far
  Micros next_log_scan_ = 0;
};

}  // namespace vckv::harness
