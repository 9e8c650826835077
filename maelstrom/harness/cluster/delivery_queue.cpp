#include "harness/cluster/delivery_queue.hpp"

#include <algorithm>

namespace vckv::harness {

std::uint64_t DeliveryQueue::send(std::string from, std::string to, std::string type, std::string line, Micros now,
                                  Micros delay) {
  const Micros at = now + std::max<Micros>(0, delay);
  const std::uint64_t id = next_id_++;
  Queue& q = queues_[to];
  q.emplace(std::make_pair(at, id),
            InFlight{at, id, now, std::move(from), std::move(to), std::move(type), std::move(line)});
  return id;
}

std::optional<Micros> DeliveryQueue::next_delivery(const std::set<std::string>& paused) const {
  std::optional<Micros> next;
  for (const auto& [to, q] : queues_) {
    if (q.empty() || paused.count(to)) continue;
    if (!next || q.begin()->first.first < *next) next = q.begin()->first.first;
  }
  return next;
}

std::vector<Due> DeliveryQueue::take_due(Micros now, const model::Partition& partition,
                                         const std::set<std::string>& dead, const std::set<std::string>& paused) {
  std::vector<Due> due;
  for (auto& [to, q] : queues_) {
    if (paused.count(to)) continue;  // held: the arrival rule's hold, until it resumes
    const bool is_dead = dead.count(to) > 0;
    while (!q.empty() && q.begin()->first.first <= now) {
      Due d{std::move(q.begin()->second), std::nullopt};
      q.erase(q.begin());
      const model::ArrivalFate fate =
          model::on_arrival(false, is_dead, partition.blocks(d.message.from, d.message.to), false);
      if (fate.arrival == model::Arrival::kDrop) d.dropped = fate.why;
      due.push_back(std::move(d));
    }
  }
  return due;
}

std::vector<InFlight> DeliveryQueue::take_all() {
  std::vector<InFlight> all;
  for (auto& [to, q] : queues_) {
    for (auto& [k, m] : q) all.push_back(std::move(m));
    q.clear();
  }
  return all;
}

std::size_t DeliveryQueue::in_flight() const {
  std::size_t n = 0;
  for (const auto& [to, q] : queues_) n += q.size();
  return n;
}

}  // namespace vckv::harness
