// How long to wait for a peer's acknowledgement before sending again: TCP's retransmission
// timeout (RFC 6298) on a peer's measured round trips. RTO = SRTT + max(4 * RTTVAR, SRTT / 2),
// at least min_ms (the half round trip of cushion stands in for TCP's 200 ms-1 s floor: with
// a steady latency RTTVAR falls near 0, and a peer a few ms slower than usual to answer would
// otherwise count as silent); a timeout doubles it (up to max_ms) until the next measurement. So a healthy cluster
// waits a little longer than its round trip and does not resend, and a silent peer is asked
// less and less often. Pure logic.
#pragma once

#include <algorithm>
#include <cstdint>

namespace vckv {

class RoundTrip {
 public:
  // Before any measurement the wait is initial_ms (RFC 6298 says 1 s).
  RoundTrip(std::int64_t min_ms, std::int64_t initial_ms, std::int64_t max_ms)
      : min_(min_ms), max_(std::max(max_ms, min_ms)), rto_(std::clamp(initial_ms, min_, max_)) {}

  // A round trip of rtt_ms was measured (an acknowledgement of a message sent once: every
  // resend has its own msg_id, so no measurement is ambiguous).
  void sample(std::int64_t rtt_ms) {
    rtt_ms = std::max<std::int64_t>(0, rtt_ms);
    if (srtt_ < 0) {
      srtt_ = rtt_ms;
      rttvar_ = rtt_ms / 2;
    } else {
      const std::int64_t error = srtt_ > rtt_ms ? srtt_ - rtt_ms : rtt_ms - srtt_;
      rttvar_ = (3 * rttvar_ + error) / 4;
      srtt_ = (7 * srtt_ + rtt_ms) / 8;
    }
    rto_ = std::clamp(srtt_ + std::max<std::int64_t>({1, 4 * rttvar_, srtt_ / 2}), min_, max_);
  }
  // A message went unacknowledged for rto(): wait twice as long next time.
  void backoff() { rto_ = std::min(rto_ * 2, max_); }

  std::int64_t rto() const { return rto_; }
  // The smoothed round trip, or -1 before any measurement.
  std::int64_t srtt() const { return srtt_; }

 private:
  std::int64_t min_, max_;
  std::int64_t rto_;
  std::int64_t srtt_ = -1;
  std::int64_t rttvar_ = 0;
};

}  // namespace vckv
