#include "harness/cluster/fault_recorder.hpp"

#include <algorithm>

namespace vckv::harness {

void FaultRecorder::event(const std::string& f, const std::string& value) {
  history_.write(reports::nemesis_event(f, value, static_cast<double>(now_) / 1000));
  if (sink_) sink_(now_, f, value);
}

void FaultRecorder::partition(const model::Partition& p) {
  cluster_.partition(p);
  event("partition", p.description());
}

void FaultRecorder::heal() {
  cluster_.heal();
  event("heal", final_heal_ ? "(final heal)" : "");
}

void FaultRecorder::kill(const std::string& node) {
  cluster_.kill(node);
  event("kill", node);
}

void FaultRecorder::restart(const std::string& node) {
  if (cluster_.failure()) return;  // the run is over: nothing to restart for
  cluster_.restart(node);
  event("restart", node);
}

void FaultRecorder::wipe(const std::string& node) {
  cluster_.wipe(node);
  event("wipe", node);
}

void FaultRecorder::pause(const std::string& node) {
  cluster_.pause(node);
  event("pause", node);
}

void FaultRecorder::resume(const std::string& node) {
  cluster_.resume(node);
  event("resume", node);
}

std::vector<model::FaultPeriod>::iterator FaultRecorder::find_open(model::FaultKind kind, const std::string& node) {
  return std::find_if(open_.begin(), open_.end(), [&](const model::FaultPeriod& p) {
    return p.kind == kind && (node.empty() || std::find(p.nodes.begin(), p.nodes.end(), node) != p.nodes.end());
  });
}

bool FaultRecorder::is_open(model::FaultKind kind, const std::string& node) const {
  return const_cast<FaultRecorder*>(this)->find_open(kind, node) != open_.end();
}

void FaultRecorder::finish(std::vector<model::FaultPeriod>::iterator it, Micros t) {
  it->end = t;
  done_.push_back(std::move(*it));
  open_.erase(it);
}

void FaultRecorder::begin(const model::FaultPeriod& period, Micros t) {
  now_ = t;
  model::begin_fault(period, *this);
  open_.push_back(period);
}

void FaultRecorder::bounce(const model::FaultPeriod& period, Micros t) {
  now_ = t;
  model::bounce(period, *this);
}

bool FaultRecorder::end(model::FaultKind kind, const std::string& node, Micros t, bool final_heal) {
  const auto it = find_open(kind, node);
  if (it == open_.end()) return false;
  now_ = t;
  final_heal_ = final_heal;
  model::end_fault(*it, *this);
  final_heal_ = false;
  finish(it, t);
  return true;
}

bool FaultRecorder::close(model::FaultKind kind, const std::string& node, Micros t) {
  const auto it = find_open(kind, node);
  if (it == open_.end()) return false;
  now_ = t;
  event(kind == model::FaultKind::kPartition ? "heal" : (kind == model::FaultKind::kKill || kind == model::FaultKind::kDiskLoss) ? "restart" : "resume", node);
  finish(it, t);
  return true;
}

std::vector<model::FaultPeriod> FaultRecorder::periods(std::optional<Micros> until) const {
  std::vector<model::FaultPeriod> all = done_;
  if (until) {
    for (model::FaultPeriod p : open_) {
      p.end = *until;
      all.push_back(std::move(p));
    }
  }
  return all;
}

}  // namespace vckv::harness
