#include "model/faults/fault.hpp"

#include <algorithm>
#include <sstream>

namespace vckv::model {

namespace {

struct FaultRow {
  FaultKind kind;
  const char* name;
  bool period;  // a node fault, in fault periods; else a message fault
  bool in_all;  // part of "all"
};

// Every fault, in the order lists are printed and periods take turns from.
constexpr FaultRow kFaults[] = {
    {FaultKind::kPartition, "partition", true, true}, {FaultKind::kKill, "kill", true, true},
    {FaultKind::kPause, "pause", true, true},         {FaultKind::kBounce, "bounce", true, true},
    {FaultKind::kDrop, "drop", false, true},          {FaultKind::kDuplicate, "duplicate", false, true},
    {FaultKind::kReorder, "reorder", false, true},    {FaultKind::kDiskLoss, "disk-loss", true, false},
    {FaultKind::kReplicaLoss, "replica-loss", true, false},
};

const FaultRow& row(FaultKind k) {
  for (const FaultRow& r : kFaults) {
    if (r.kind == k) return r;
  }
  return kFaults[0];
}

std::string joined(const std::vector<std::string>& nodes) {
  std::string out;
  for (const std::string& n : nodes) out += (out.empty() ? "" : " ") + n;
  return out;
}

}  // namespace

const char* fault_kind_name(FaultKind k) { return row(k).name; }
bool is_period_fault(FaultKind k) { return row(k).period; }

const std::vector<FaultKind>& period_faults() {
  static const std::vector<FaultKind> kinds = [] {
    std::vector<FaultKind> v;
    for (const FaultRow& r : kFaults) {
      if (r.period) v.push_back(r.kind);
    }
    return v;
  }();
  return kinds;
}

const std::vector<FaultKind>& every_fault() {
  static const std::vector<FaultKind> kinds = [] {
    std::vector<FaultKind> v;
    for (const FaultRow& r : kFaults) v.push_back(r.kind);
    return v;
  }();
  return kinds;
}

std::optional<std::vector<FaultKind>> parse_fault_list(const std::string& text, const std::vector<FaultKind>& allowed,
                                                       bool accept_all, std::string& error) {
  std::vector<FaultKind> kinds;
  if (text == "none") return kinds;
  if (accept_all && text == "all") {
    std::vector<FaultKind> all;
    for (FaultKind k : allowed) {
      if (row(k).in_all) all.push_back(k);
    }
    return all;
  }
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const auto kind = std::find_if(allowed.begin(), allowed.end(), [&](FaultKind k) { return item == fault_kind_name(k); });
    if (kind == allowed.end()) {
      std::string names;
      for (FaultKind k : allowed) names += (names.empty() ? "" : ", ") + std::string(fault_kind_name(k));
      error = "unknown fault \"" + item + "\" (expected a comma-separated list of " + names + "; " +
              (accept_all ? "or all, or none)" : "or none)");
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

std::string fault_list_name(const std::vector<FaultKind>& kinds) {
  if (kinds.empty()) return "none";
  std::string out;
  for (FaultKind k : kinds) out += (out.empty() ? "" : ",") + std::string(fault_kind_name(k));
  return out;
}

std::string FaultPeriod::description() const {
  if (kind == FaultKind::kPartition) return "partition " + partition.description();
  if (kind == FaultKind::kReplicaLoss) {
    const auto& sides = partition.components();
    return "replica-loss " + joined(nodes) + " (key " + std::to_string(key) + "'s first replica, cut off from " +
           (sides.empty() ? std::string("nothing") : joined(sides[0])) +
           (bounces.size() > 1 ? ", then killed with its disk)" : ")");
  }
  if (kind == FaultKind::kBounce && bounces.size() > 1) {
    return "bounce " + joined(nodes) + " (" + std::to_string(bounces.size()) + " times)";
  }
  return std::string(fault_kind_name(kind)) + " " + joined(nodes);
}

std::string FaultPeriod::label() const {
  if (kind == FaultKind::kPartition) return partition.name();
  return std::string(fault_kind_name(kind)) + " " + joined(nodes);
}

void begin_fault(const FaultPeriod& period, FaultTarget& target) {
  switch (period.kind) {
    case FaultKind::kPartition:
    case FaultKind::kReplicaLoss:
      target.partition(period.partition);
      break;
    case FaultKind::kKill:
      for (const std::string& n : period.nodes) target.kill(n);
      break;
    case FaultKind::kDiskLoss:
      for (const std::string& n : period.nodes) {
        target.kill(n);
        target.wipe(n);
      }
      break;
    case FaultKind::kPause:
      for (const std::string& n : period.nodes) target.pause(n);
      break;
    case FaultKind::kBounce:
      bounce(period, target);
      break;
    case FaultKind::kDrop:
    case FaultKind::kDuplicate:
    case FaultKind::kReorder:
      break;  // message faults have no period: the network applies them (LinkFaults)
  }
}

void end_fault(const FaultPeriod& period, FaultTarget& target) {
  switch (period.kind) {
    case FaultKind::kPartition:
      target.heal();
      break;
    case FaultKind::kReplicaLoss:
      target.heal();
      if (period.bounces.size() > 1) {
        for (const std::string& n : period.nodes) target.restart(n);
      }
      break;
    case FaultKind::kKill:
    case FaultKind::kDiskLoss:
      for (const std::string& n : period.nodes) target.restart(n);
      break;
    case FaultKind::kPause:
      for (const std::string& n : period.nodes) target.resume(n);
      break;
    case FaultKind::kBounce:
      break;
    case FaultKind::kDrop:
    case FaultKind::kDuplicate:
    case FaultKind::kReorder:
      break;
  }
}

void bounce(const FaultPeriod& period, FaultTarget& target) {
  if (period.kind == FaultKind::kReplicaLoss) {
    for (const std::string& n : period.nodes) {
      target.kill(n);
      target.wipe(n);
    }
    return;
  }
  if (period.kind != FaultKind::kBounce) return;
  for (const std::string& n : period.nodes) target.kill(n);
  for (const std::string& n : period.nodes) target.restart(n);
}

}  // namespace vckv::model
