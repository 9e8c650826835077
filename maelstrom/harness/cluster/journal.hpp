// The network journal of a run: every message's line in net.jsonl (reports/files/net_log.hpp),
// written when its fate is known, and the counts by type. Lines stream to disk; only counts stay
// in memory.
#pragma once

#include <fstream>
#include <optional>
#include <string>

#include "model/net/network.hpp"
#include "reports/files/net_log.hpp"

namespace vckv::harness {

class Journal {
 public:
  // An empty path keeps counts only.
  explicit Journal(const std::string& path);
  void record(const reports::InFlight& m, reports::Fate fate, model::Micros at, std::optional<model::DropReason> why,
              bool node_to_node);
  const reports::MessageStats& stats() const { return stats_; }
  void close() { out_.close(); }

 private:
  std::ofstream out_;
  bool writing_ = false;
  reports::MessageStats stats_;
};

}  // namespace vckv::harness
