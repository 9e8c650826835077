#include "harness/cluster/journal.hpp"

namespace vckv::harness {

Journal::Journal(const std::string& path) {
  if (path.empty()) return;
  out_.open(path);
  writing_ = out_.is_open();
}

void Journal::record(const reports::InFlight& m, reports::Fate fate, model::Micros at,
                     std::optional<model::DropReason> why, bool node_to_node) {
  stats_.count(m, fate, why, node_to_node);
  if (writing_) out_ << reports::journal_line(m, fate, at, why) << '\n';
}

}  // namespace vckv::harness
