// Conflict explanation: for a key, the causal story of its final siblings. Which write made
// each one (client, node, times, the reply), what that client had read first, which clock slots
// make each pair concurrent, and why each writer could not have seen the other's write (it read
// before the other was acknowledged; a partition, a kill or a pause stood between the nodes; or
// replication had not arrived yet). Pure logic over the records read back from a run.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/check/checker.hpp"
#include "reports/files/run_view.hpp"

namespace vckv::reports {

struct ExplainRead {
  std::string client;
  std::string node;
  double invoke_ms = 0;
  double complete_ms = 0;
  std::vector<model::StoredVersion> values;  // what it returned
};

struct ExplainWrite {
  std::string client;
  std::string f;  // put, resolve, delete
  std::string node;
  double invoke_ms = 0;
  double complete_ms = 0;
  std::string value;  // JSON text
  model::VectorClock clock;
  std::string outcome;  // ok, conflict, stale, error, indeterminate
  std::string status;   // as replied
  bool blind = false;   // the workload wrote without reading first
  std::optional<ExplainRead> basis;  // the read this write followed
  bool tombstone = false;  // a delete (docs/protocol.md §16): value empty
};

struct KeyStory {
  std::string key;                   // JSON text
  std::vector<ExplainWrite> writes;  // every write to the key, in invoke order
  std::map<std::string, std::vector<model::StoredVersion>> final_by_node;
};

struct ExplainContext {
  std::vector<ViewFault> faults;
  std::size_t client_slots = 0;  // slot i belongs to client c(i+1) for i < client_slots
};

// "c3" for slot 2 when client_slots > 2, else "slot 2".
std::string slot_name(std::size_t slot, const ExplainContext& ctx);

// The full story, several lines, ending in '\n'.
std::string explain_key(const KeyStory& story, const ExplainContext& ctx);
// One line for the run's summary.
std::string explain_key_line(const KeyStory& story, const ExplainContext& ctx);

}  // namespace vckv::reports
