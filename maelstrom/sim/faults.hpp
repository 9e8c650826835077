// The nodes' lives and the faults that interrupt them. A node boots (a new Node, then init);
// the model's fault schedule (model/faults/schedule.hpp) becomes events, and each period is
// applied through the model's FaultTarget seam: a kill destroys the Node (after Losses notes
// what only it held), a restart boots it again empty, a pause holds its input and stops its
// timers, a resume runs the overdue timers and then the input that waited; a partition cuts
// the network's links. One node fault at a time, and none after the workload.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/faults/fault.hpp"
#include "sim/losses.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace vckv::sim {

class Faults : public model::FaultTarget {
 public:
  Faults(World& world, Network& network, Losses& losses) : w_(world), net_(network), losses_(losses) {}

  // Node i starts with an empty store and is sent init.
  void boot(std::size_t i);
  // Draws the schedule (the seed's fault stream) and queues each period's beginning and end.
  void schedule();
  void begin_period(std::size_t period);
  void end_period(std::size_t period);
  // A later bounce of a bounce period (its first is its beginning).
  void bounce(std::size_t period);
  // The final heal: the period under way, if any, ends now.
  void end_all();
  // --io-errors: the nodes whose process stopped on a disk I/O error (NodeSlot::stopped_by_io)
  // go down as after a power loss, each restarted 0.1 to 1 virtual s later (restart_stopped,
  // unless a fault took it down again meanwhile); end_io_errors (the final heal) stops the
  // disks failing.
  void collect_stopped();
  void restart_stopped(std::size_t i, std::uint64_t incarnation);
  void end_io_errors();

  // model::FaultTarget on simulated nodes.
  void partition(const model::Partition& p) override;
  void heal() override;
  void kill(const std::string& node) override;
  void restart(const std::string& node) override;
  void pause(const std::string& node) override;
  void resume(const std::string& node) override;
  void wipe(const std::string& node) override;

 private:
  std::size_t index(const std::string& node) const;  // "n3" -> 2
  // Node i's process ends; its disk crashes as a power loss or a process crash, and a bit of it
  // flips; `how` ends the explanation of a write it took the last copy of.
  void take_down(std::size_t i, bool power_loss, bool bit_flip, bool disk_loss, const std::string& how);
  // The mean time between two bounces, and the mean delay of a bouncing node's links: a
  // message's latency plus the most a reordered one is held back.
  Micros bounce_gap() const { return w_.cfg.latency + w_.cfg.reorder_max; }

  World& w_;
  Network& net_;
  Losses& losses_;
  std::vector<model::FaultPeriod> schedule_;
  std::optional<std::size_t> active_;
};

}  // namespace vckv::sim
