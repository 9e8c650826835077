// The simulated clients: each runs the model's read-modify-write workload
// (model/workload/client.hpp) with one request out at a time, through the network with the
// client latency. A request unanswered within the client timeout is indeterminate. Every write
// goes into the world's history for the checker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/check/outcome.hpp"
#include "model/workload/client.hpp"
#include "sim/losses.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace vckv::sim {

class Clients {
 public:
  Clients(World& world, Network& network, Losses& losses);

  // Each client's first operation, at time 0.
  void start_all();
  void start_op(std::size_t ci);
  void on_reply(std::size_t ci, const Event& e);
  // Operation `op` of client ci got no answer in time (if it is still the one under way).
  void on_timeout(std::size_t ci, std::uint64_t op);
  bool idle() const;

 private:
  struct Client {
    Client(std::size_t index, std::size_t slots) : model(index, slots) {}
    model::ClientModel model;
    bool busy = false;
    std::uint64_t op = 0;  // the operation under way (for its timeout event)
    std::uint64_t next_msg_id = 1;
    // The operation under way.
    model::OpKind kind = model::OpKind::kGet;
    std::int64_t key = 0;
    int node = 0;
    std::uint64_t msg_id = 0;
    Micros invoked = 0;
    std::optional<std::size_t> write;  // its index in world.writes
  };
  void complete_op(std::size_t ci, const model::Classified& cls, const std::string& detail);
  // Server clocks (§17): a dvv_*_ok's dot and vector into the write's record, or a dvv_get_ok
  // into the reads and the client's kept context. False when malformed.
  bool dvv_reply(std::size_t ci, const nlohmann::json& body, std::string& detail);

  World& w_;
  Network& net_;
  Losses& losses_;
  std::vector<std::unique_ptr<Client>> clients_;
  model::WorkloadOptions workload_;
  Micros mean_gap_ = 0;
  std::uint64_t op_counter_ = 0;
};

}  // namespace vckv::sim
