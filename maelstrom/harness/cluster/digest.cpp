#include "harness/cluster/digest.hpp"

#include "model/workload/operation.hpp"

namespace vckv::harness {

using json = nlohmann::json;

DigestPoller::DigestPoller(Cluster& cluster, Micros interval, Micros timeout)
    : cluster_(cluster), interval_(interval), timeout_(timeout), next_(cluster.now()) {}

void DigestPoller::finish(State& s, Micros t) {
  reports::DigestRound round;
  round.start_s = static_cast<double>(s.started) / 1e6;
  round.end_s = static_cast<double>(t) / 1e6;
  std::map<std::string, model::NodeRoots> answered;
  for (auto& [node, roots] : s.answers) {
    if (roots) answered[node] = std::move(*roots);
  }
  round.complete = answered.size() == s.expected;
  if (round.complete) round.agree = model::roots_agree(answered, &round.why);
  s.rounds.push_back(std::move(round));
  s.out = false;
  s.answers.clear();
}

void DigestPoller::tick(Micros t) {
  State& s = *state_;
  if (s.out && t >= s.started + timeout_) finish(s, t);  // the missing answers are overdue
  if (s.out || stopped_ || !s.unsupported.empty() || t < next_) return;
  const std::vector<std::string>& nodes = cluster_.node_ids();
  s.out = true;
  s.started = t;
  s.expected = nodes.size();
  next_ = t + interval_;
  const std::uint64_t round = ++round_;
  for (const std::string& node : nodes) {
    cluster_.request(Cluster::kControlClient, node, {{"type", model::kTreeRoots}}, timeout_,
                     [state = state_, node, round](const json* reply, Micros at) {
                       State& st = *state;
                       // (A late answer, to a round that ended incomplete, is ignored.)
                       if (!st.out || st.answers.count(node) || round != st.rounds.size() + 1) return;
                       std::optional<model::NodeRoots> roots;
                       if (reply && reply->value("type", "") == "tree_roots_ok") {
                         roots = model::parse_tree_roots(*reply);
                       } else if (reply && reply->value("type", "") == "error" &&
                                  reply->value("code", std::int64_t{-1}) == model::kErrorUnsupportedType) {
                         st.unsupported = node + " answered tree_roots with error 10 (unsupported type)";
                       }
                       st.answers[node] = std::move(roots);
                       if (st.answers.size() == st.expected) finish(st, at);
                     });
  }
}

std::optional<Micros> DigestPoller::next_wake() const {
  const State& s = *state_;
  if (s.out) return s.started + timeout_;
  if (stopped_ || !s.unsupported.empty()) return std::nullopt;
  return next_;
}

}  // namespace vckv::harness
