#include "nemesis.hpp"

#include <algorithm>
#include <sstream>

namespace vckv::harness {

const char* fault_kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::kPartition: return "partition";
    case FaultKind::kKill: return "kill";
    case FaultKind::kPause: return "pause";
  }
  return "?";
}

std::optional<std::vector<FaultKind>> parse_nemesis(const std::string& text, std::string& error) {
  std::vector<FaultKind> kinds;
  if (text == "none") return kinds;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    std::optional<FaultKind> kind;
    for (FaultKind k : {FaultKind::kPartition, FaultKind::kKill, FaultKind::kPause}) {
      if (item == fault_kind_name(k)) kind = k;
    }
    if (!kind) {
      error = "unknown fault \"" + item + "\" (expected a comma-separated list of partition, kill, pause; or none)";
      return std::nullopt;
    }
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) {
      error = "fault \"" + item + "\" listed twice";
      return std::nullopt;
    }
    kinds.push_back(*kind);
  }
  if (kinds.empty() || text.back() == ',') {
    error = "empty fault in \"" + text + "\"";
    return std::nullopt;
  }
  return kinds;
}

std::string nemesis_name(const std::vector<FaultKind>& kinds) {
  if (kinds.empty()) return "none";
  std::string out;
  for (FaultKind k : kinds) out += (out.empty() ? "" : ",") + std::string(fault_kind_name(k));
  return out;
}

namespace {

std::string joined(const std::vector<std::string>& nodes) {
  std::string out;
  for (const std::string& n : nodes) out += (out.empty() ? "" : " ") + n;
  return out;
}

}  // namespace

std::string FaultPeriod::description() const {
  if (kind == FaultKind::kPartition) return "partition " + partition.description();
  return std::string(fault_kind_name(kind)) + " " + joined(nodes);
}

std::string FaultPeriod::label() const {
  if (kind == FaultKind::kPartition) return partition.name();
  return std::string(fault_kind_name(kind)) + " " + joined(nodes);
}

std::vector<FaultPeriod> make_fault_schedule(const std::vector<std::string>& nodes,
                                             const std::vector<FaultKind>& requested, Micros interval,
                                             Micros until, std::size_t max_down, Rng& rng,
                                             const std::vector<std::string>& only_shapes) {
  std::vector<FaultPeriod> periods;
  const std::vector<PartitionShape> shapes = partition_shapes(nodes, only_shapes);
  std::vector<FaultKind> kinds;
  for (FaultKind k : requested) {
    if (k == FaultKind::kPartition && shapes.empty()) continue;
    if (k != FaultKind::kPartition && (nodes.empty() || max_down == 0)) continue;
    kinds.push_back(k);
  }
  if (kinds.empty() || interval <= 0) return periods;
  std::size_t turn = std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(rng);
  std::size_t shape_turn = shapes.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, shapes.size() - 1)(rng);
  const std::size_t most_down = std::min(max_down, nodes.size());
  for (Micros start = interval; start < until; start += 2 * interval) {
    FaultPeriod p;
    p.start = start;
    p.end = std::min(start + interval, until);
    p.kind = kinds[turn++ % kinds.size()];
    if (p.kind == FaultKind::kPartition) {
      p.partition = shapes[shape_turn++ % shapes.size()](nodes, rng);
    } else {
      const std::size_t count = std::uniform_int_distribution<std::size_t>(1, most_down)(rng);
      std::vector<std::string> pool = nodes;
      std::shuffle(pool.begin(), pool.end(), rng);
      p.nodes.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(count));
      std::sort(p.nodes.begin(), p.nodes.end());
    }
    periods.push_back(std::move(p));
  }
  return periods;
}

std::vector<std::string> nemesis_warnings(const std::vector<FaultKind>& kinds,
                                          std::size_t node_count, double interval_s,
                                          double time_limit_s) {
  std::vector<std::string> warnings;
  if (kinds.empty()) return warnings;
  auto num = [](double x) {
    std::ostringstream s;
    s << x;
    return s.str();
  };
  if (time_limit_s <= interval_s) {
    warnings.push_back("--nemesis " + nemesis_name(kinds) + " will never fire: the first fault would start at " +
                       "--nemesis-interval (" + num(interval_s) + " s) but the clients stop at --time-limit (" +
                       num(time_limit_s) + " s)");
  }
  if (node_count < 2 && std::find(kinds.begin(), kinds.end(), FaultKind::kPartition) != kinds.end()) {
    warnings.push_back("--nemesis partition does nothing with a single node: there is no link to cut");
  }
  return warnings;
}

}  // namespace vckv::harness
