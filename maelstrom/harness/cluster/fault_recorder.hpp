// Faults applied to a cluster of node processes, and their record. The runner's schedule and
// the repl's commands both go through here, so a fault means the same in both: each period is
// applied by the model's begin_fault/end_fault (model/faults/fault.hpp) on the Cluster (the
// FaultTarget for processes: SIGKILL, a restart with init, SIGSTOP/SIGCONT, cut links), every
// action is written to the history as a nemesis event (partition, heal, kill, wipe, restart,
// pause, resume), and each period is kept as it really was (its real end).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/cluster/cluster.hpp"
#include "model/faults/fault.hpp"
#include "reports/files/history_log.hpp"

namespace vckv::harness {

class FaultRecorder : private model::FaultTarget {
 public:
  // Called after each nemesis event is written: its time, f and value.
  using EventSink = std::function<void(Micros t, const std::string& f, const std::string& value)>;

  FaultRecorder(Cluster& cluster, reports::HistoryWriter& history) : cluster_(cluster), history_(history) {}
  void set_event_sink(EventSink sink) { sink_ = std::move(sink); }

  // The period's fault begins at t.
  void begin(const model::FaultPeriod& period, Micros t);
  // A later bounce of an open bounce period, at t: each node killed, then restarted.
  void bounce(const model::FaultPeriod& period, Micros t);
  // The open period of this kind (and node, if given) ends at t: healed, restarted, resumed.
  // The final heal says so in its event. False when no such period is open.
  bool end(model::FaultKind kind, const std::string& node, Micros t, bool final_heal = false);
  // Its record ends at t, with its event, but nothing is done to the cluster (a paused node
  // that is killed is not resumed first).
  bool close(model::FaultKind kind, const std::string& node, Micros t);
  bool is_open(model::FaultKind kind, const std::string& node = "") const;

  // Every period ended so far, in the order they ended; with `until`, the open ones too, as
  // ending then.
  std::vector<model::FaultPeriod> periods(std::optional<Micros> until = std::nullopt) const;

 private:
  // model::FaultTarget: the action on the cluster, then its event.
  void partition(const model::Partition& p) override;
  void heal() override;
  void kill(const std::string& node) override;
  void restart(const std::string& node) override;
  void pause(const std::string& node) override;
  void resume(const std::string& node) override;
  void wipe(const std::string& node) override;

  std::vector<model::FaultPeriod>::iterator find_open(model::FaultKind kind, const std::string& node);
  void event(const std::string& f, const std::string& value);
  void finish(std::vector<model::FaultPeriod>::iterator it, Micros t);

  Cluster& cluster_;
  reports::HistoryWriter& history_;
  EventSink sink_;
  std::vector<model::FaultPeriod> open_, done_;
  Micros now_ = 0;           // the time of the events being written
  bool final_heal_ = false;  // the heal being written is the final one
};

}  // namespace vckv::harness
