// The random numbers of a run: xoshiro256** seeded through splitmix64, with our own range
// reduction. Every seeded choice of the model (the fault schedule, the clients, latencies) draws
// from it, in the harness and in the simulator alike. Written out here rather than taken from
// <random> because a replayed seed must give the same run on every machine: std::mt19937_64 is
// portable but std::uniform_int_distribution, std::shuffle and the real-valued distributions
// are not (each standard library draws differently). Only integer arithmetic, so no libm either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace vckv::model {

// splitmix64: turns any 64-bit value (a seed, a stream number) into well-mixed bits.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The streams of one seed. Each concern draws from its own, so a change in how often one of
// them draws leaves the others alone (and the harness and the simulator, given the same seed,
// draw the same fault schedule).
enum class Stream : std::uint64_t { kNetwork = 1, kFaults = 2, kClients = 3 };

class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t s = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (std::uint64_t& word : s_) word = splitmix64(s);
  }
  Rng(std::uint64_t seed, Stream stream) : Rng(seed, static_cast<std::uint64_t>(stream)) {}

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound); 0 when bound is 0. Rejection keeps it exactly uniform.
  std::uint64_t below(std::uint64_t bound) {
    if (bound == 0) return 0;
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % bound;
    }
  }
  // Uniform in [lo, hi] (hi >= lo).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // True with probability ppm / 1,000,000; no draw when ppm is 0.
  bool chance(std::uint32_t ppm) { return ppm > 0 && below(1'000'000) < ppm; }

  // Fisher-Yates, drawing with below().
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[static_cast<std::size_t>(below(i))]);
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace vckv::model
