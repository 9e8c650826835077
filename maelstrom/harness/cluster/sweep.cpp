#include "harness/cluster/sweep.hpp"

#include <set>

#include "model/clock_text.hpp"
#include "model/workload/operation.hpp"

namespace vckv::harness {

namespace {

using json = nlohmann::json;

std::string request_type_of(bool local, const std::string& get_type) { return local ? model::kLocalGet : get_type; }

}  // namespace

ReadSweep::ReadSweep(Cluster& cluster, std::vector<std::string> nodes, std::vector<json> keys, Options options)
    : cluster_(cluster), options_(options) {
  for (const std::string& node : nodes) {
    states_[node];
    outstanding_[node] = 0;
    for (const json& key : keys) queued_[node].push_back(Read{node, key, std::max(1, options_.attempts)});
    total_ += keys.size();
  }
}

ReadSweep::~ReadSweep() {
  if (!done()) cluster_.cancel_requests(Cluster::kControlClient);
}

void ReadSweep::start() {
  for (auto& [node, q] : queued_) issue(node);
}

void ReadSweep::issue(const std::string& node) {
  auto& q = queued_[node];
  while (!q.empty() && outstanding_[node] < options_.in_flight) {
    Read r = std::move(q.front());
    q.pop_front();
    send(std::move(r));
  }
}

void ReadSweep::send(Read read) {
  ++outstanding_[read.node];
  --read.attempts_left;
  const std::string node = read.node;
  const std::string request_type = request_type_of(options_.local, options_.get_type);
  cluster_.request(Cluster::kControlClient, node, {{"type", request_type}, {"key", read.key}}, options_.timeout,
                   [this, read](const json* reply, Micros) {
                     --outstanding_[read.node];
                     std::optional<std::vector<model::StoredVersion>> values;
                     std::vector<model::HeldHint> hints;
                     std::string problem = "timed out";
                     const std::string type = reply ? reply->value("type", "") : "";
                     if (options_.local && type == "local_get_ok") {
                       if (auto held = model::parse_local_get(*reply)) {
                         values = std::move(held->values);
                         hints = std::move(held->hints);
                       } else {
                         cluster_.fail(model::Verdict::kInvalid, "node " + read.node + " sent a malformed local_get_ok: " +
                                                              reply->dump().substr(0, 200));
                       }
                     } else if (options_.local && type == "error" &&
                                reply->value("code", std::int64_t{-1}) == model::kErrorUnsupportedType) {
                       cluster_.fail(model::Verdict::kUnknown,
                                     "node " + read.node + " answered local_get with error 10 (unsupported type): it "
                                     "does not implement the node-local read of docs/protocol.md §14, so with --replicas "
                                     "the harness cannot see what each node holds (run --replicas 0, or a node with "
                                     "local_get)");
                     } else if (!options_.local && type == options_.get_type + "_ok") {
                       values = model::parse_values(*reply);
                       if (!values) {
                         cluster_.fail(model::Verdict::kInvalid, "node " + read.node + " sent a malformed " + options_.get_type + "_ok: " +
                                                              reply->dump().substr(0, 200));
                       }
                     } else if (type == "error") {
                       problem = "answered " + reply->dump();
                     } else if (reply) {
                       cluster_.fail(model::Verdict::kInvalid, "node " + read.node + " answered " + request_type_of(options_.local, options_.get_type) + " with " +
                                                            reply->dump().substr(0, 200));
                     }
                     if (values) {
                       ++settled_;
                       if (!values->empty()) states_[read.node][read.key.dump()] = std::move(*values);
                       if (!hints.empty()) hints_[read.node][read.key.dump()] = std::move(hints);
                     } else if (read.attempts_left > 0) {
                       ++retries_;
                       queued_[read.node].push_back(read);
                     } else {
                       ++settled_;
                       failures_.push_back("key " + read.key.dump() + " on " + read.node + ": " +
                                           (problem.size() > 200 ? problem.substr(0, 200) + "..." : problem) + " (" +
                                           std::to_string(options_.attempts) +
                                           (options_.attempts == 1 ? " attempt)" : " attempts)"));
                     }
                     issue(read.node);
                   });
}

}  // namespace vckv::harness
