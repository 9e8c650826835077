// Lost writes explained by kills: before a node dies, which writes it held that no other node
// held; after the check, for each lost write, whether a kill took its last copy (a node
// acknowledged it and died before it left, or every node holding it died) or nothing did (a bug).
// With a ring (--replicas N) a node holds a write in its store or as a hint for a replica
// (local_get, holdings.hpp): a hint is a copy too, and a fallback killed with the last one
// explains the loss as well as a replica would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/world.hpp"

namespace vckv::sim {

class Losses {
 public:
  explicit Losses(World& world) : w_(world) {}

  // A client sent write number world.writes.size() - 1 to node `node`.
  void on_write(int node) { WriteFate fate;
    fate.node = node;
    fates_.push_back(std::move(fate));
  }
  // Write `write`'s acknowledgement reached its client now.
  void on_acknowledged(std::size_t write) { fates_[write].acked_at = w_.now; }
  // When write `write`'s acknowledgement reached its client, if it did.
  std::optional<Micros> acknowledged_at(std::size_t write) const {
    return write < fates_.size() ? fates_[write].acked_at : std::nullopt;
  }
  // Node `dying` is about to lose its store (in memory; or on its disk: a power loss before
  // the sync, a lost disk, a bit of its disk flipped while it is down).
  // `how` ends the explanation's "was killed at T s" ("" for a plain kill).
  void before_kill(std::size_t dying, std::string how = "");
  // result.check.lost_writes explained (or not) by the kills, into result.explanations.
  void explain(SeedResult& result) const;

 private:
  // What the simulator knows of a write beyond the checker's record.
  struct WriteFate {
    int node = 0;                    // the node the client sent it to
    std::optional<Micros> acked_at;  // when the acknowledgement reached the client
    std::uint32_t seen_holders = 0;  // nodes seen holding it (or a version dominating it) at kills
    std::optional<std::pair<int, Micros>> last_holder_killed;  // the only holder, killed then
    std::string last_holder_how;  // ... and how (" and a bit of its disk flipped")
  };
  bool holds(std::size_t node, const model::WriteRecord& w) const;
  // With a ring: whether node's hints (as local_get reported them, key -> hints) hold w.
  static bool hints_hold(const std::map<std::int64_t, std::vector<model::HeldHint>>& hints,
                         const model::WriteRecord& w);

  World& w_;
  std::vector<WriteFate> fates_;  // one per write, as world.writes
};

}  // namespace vckv::sim
