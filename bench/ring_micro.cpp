// vckv-ring-micro: Google Benchmark micro-benchmarks of the ring (src/ring): what a lookup costs
// a client request (hash the key, find its arc, read its preference list or ask whether this
// node is a replica), what walking the fallbacks costs, and building a ring at init. Each
// benchmark also reports allocs_per_op: heap allocations per operation, counted by this
// program's own operator new (a lookup should make none).
//
//   cmake --build build --target vckv-ring-micro && build/bench/vckv-ring-micro
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "vckv/ring/ring.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

// The replacements pair new with delete; GCC sees only malloc and free meeting (and warns).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

std::vector<std::string> node_ids(int count) {
  std::vector<std::string> ids;
  for (int i = 1; i <= count; ++i) ids.push_back("n" + std::to_string(i));
  return ids;
}

// Workload-like keys ("k00048": bench/workload.cpp's form), as JSON texts.
const std::vector<std::string>& keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    for (int i = 0; i < 4096; ++i) {
      std::string digits = std::to_string(i * 7919 % 10000);
      v.push_back("\"k" + std::string(5 - digits.size(), '0') + digits + "\"");
    }
    return v;
  }();
  return k;
}

void count_allocations(benchmark::State& state, std::size_t before) {
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(allocations.load() - before) / static_cast<double>(state.iterations()));
}

void BM_ring_key_point(benchmark::State& state) {
  const auto& k = keys();
  std::size_t i = 0, sum = 0;
  for (auto _ : state) {
    sum += vckv::Ring::key_point(k[i++ & 4095]);
  }
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_ring_key_point);

// A forwarder's or replicator's lookup: the key's preference list, read through.
void BM_ring_preference_list(benchmark::State& state) {
  const vckv::Ring ring(node_ids(static_cast<int>(state.range(0))), 3);
  const auto& k = keys();
  std::size_t i = 0, sum = 0;
  const std::size_t before = allocations.load();
  for (auto _ : state) {
    for (const vckv::Ring::NodeIndex node : ring.preference_list(k[i++ & 4095])) sum += node;
  }
  count_allocations(state, before);
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_ring_preference_list)->Arg(3)->Arg(9)->Arg(25)->Arg(100);

// "Is this key mine?", once per client request.
void BM_ring_is_replica(benchmark::State& state) {
  const vckv::Ring ring(node_ids(9), 3);
  const auto& k = keys();
  std::size_t i = 0, mine = 0;
  const std::size_t before = allocations.load();
  for (auto _ : state) {
    mine += ring.is_replica(4, k[i++ & 4095]);
  }
  count_allocations(state, before);
  benchmark::DoNotOptimize(mine);
}
BENCHMARK(BM_ring_is_replica);

// A sloppy quorum's stand-ins: the whole rest of the walk. With 100 nodes the ring stores the
// first 40 nodes of each walk and walks point by point past them.
void BM_ring_all_fallbacks(benchmark::State& state) {
  const vckv::Ring ring(node_ids(static_cast<int>(state.range(0))), 3);
  const auto& k = keys();
  std::size_t i = 0, sum = 0;
  const std::size_t before = allocations.load();
  for (auto _ : state) {
    for (const vckv::Ring::NodeIndex node : ring.fallbacks(k[i++ & 4095])) sum += node;
  }
  count_allocations(state, before);
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_ring_all_fallbacks)->Arg(9)->Arg(100);

// Init: the node builds its ring once.
void BM_ring_build(benchmark::State& state) {
  const std::vector<std::string> ids = node_ids(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const vckv::Ring ring(ids, 3);
    benchmark::DoNotOptimize(ring.arc_count());
  }
}
BENCHMARK(BM_ring_build)->Arg(9)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
