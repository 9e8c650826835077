#include "model/net/network.hpp"

#include <algorithm>
#include <cmath>

namespace vckv::model {

std::optional<LatencyDist> parse_latency_dist(const std::string& name) {
  if (name == "constant") return LatencyDist::kConstant;
  if (name == "uniform") return LatencyDist::kUniform;
  if (name == "exponential") return LatencyDist::kExponential;
  return std::nullopt;
}

const char* latency_dist_name(LatencyDist dist) {
  switch (dist) {
    case LatencyDist::kConstant: return "constant";
    case LatencyDist::kUniform: return "uniform";
    case LatencyDist::kExponential: return "exponential";
    case LatencyDist::kAroundMean: return "around-mean";
  }
  return "?";
}

Micros LatencyModel::sample(Rng& rng) const {
  // The simulator's draw happens whatever the mean (its seeds replay with --latency 0 too).
  if (dist == LatencyDist::kAroundMean) return rng.between(mean / 2, mean + mean / 2);
  if (mean <= 0) return 0;
  switch (dist) {
    case LatencyDist::kConstant: return mean;
    case LatencyDist::kUniform: return rng.between(0, 2 * mean);
    case LatencyDist::kExponential: {
      // 53 random bits as a fraction in [0, 1); -ln(1 - u) is exponential with mean 1.
      const double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
      return static_cast<Micros>(std::llround(-static_cast<double>(mean) * std::log1p(-u)));
    }
    case LatencyDist::kAroundMean: break;
  }
  return mean;
}

Transit transit(Micros now, const LatencyModel& latency, const LinkFaults& faults, Micros& link_last, Rng& rng) {
  Transit t;
  if (rng.chance(faults.drop_ppm)) {
    t.lost = true;
    return t;
  }
  t.copies = rng.chance(faults.duplicate_ppm) ? 2 : 1;
  for (std::size_t copy = 0; copy < t.copies; ++copy) {
    Micros at = now + latency.sample(rng);
    if (rng.chance(faults.reorder_ppm)) {
      at += rng.between(0, faults.reorder_max);  // may overtake what the link carries
    } else {
      at = std::max(at, link_last);  // FIFO
      link_last = at;
    }
    t.arrive[copy] = at;
  }
  return t;
}

const char* drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kPartition: return "partition";
    case DropReason::kDeadNode: return "dead node";
    case DropReason::kLost: return "lost by the network";
    case DropReason::kSenderDied: return "its sender was killed before it arrived";
  }
  return "?";
}

ArrivalFate on_arrival(bool sender_died, bool recipient_dead, bool link_cut, bool recipient_paused) {
  if (sender_died) return {Arrival::kDrop, DropReason::kSenderDied};
  if (recipient_dead) return {Arrival::kDrop, DropReason::kDeadNode};
  if (link_cut) return {Arrival::kDrop, DropReason::kPartition};
  if (recipient_paused) return {Arrival::kHold, DropReason::kPartition};
  return {Arrival::kDeliver, DropReason::kPartition};
}

}  // namespace vckv::model
