// Many seeds: runs run_seed for seeds first..first+count-1 on `jobs` threads (each seed is
// independent and deterministic, so the results do not depend on the thread count) and sums
// up what they cost and what failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/simulation.hpp"

namespace vckv::sim {

struct SeedsSummary {
  std::uint64_t seeds_run = 0;
  double wall_seconds = 0;              // real time, for the rate; never part of a trace
  std::vector<SeedResult> failures;     // in seed order
  std::uint64_t explained = 0;          // failures made only of lost writes that kills explain
  SeedStats totals;                     // sums over every seed (convergence: unused)
  std::vector<Micros> convergence;      // per converged seed, sorted
  std::uint64_t not_converged = 0;

  double seeds_per_second() const { return wall_seconds > 0 ? static_cast<double>(seeds_run) / wall_seconds : 0; }
};

struct SeedsOptions {
  std::uint64_t first = 1;
  std::uint64_t count = 1000;
  unsigned jobs = 1;
  bool stop_at_first_failure = false;  // stop once a failure is found (seeds after it may not run)
  // Called now and then from the calling thread with the seeds done so far and failures found.
  std::function<void(std::uint64_t done, std::size_t failures)> progress;
};

SeedsSummary run_seeds(const SimConfig& config, const SeedsOptions& options);

// The summary as text: rate, costs per operation, convergence, failures with one line each
// and, under each one shown, the command that replays it (replay_prefix + " --seed S --trace").
std::string summary_text(const SeedsSummary& summary, unsigned jobs, const std::string& replay_prefix,
                         std::size_t max_failures_shown);

// The cost lines alone (also printed for one seed).
std::string costs_text(const SeedStats& totals, std::uint64_t seeds, const std::vector<Micros>& convergence,
                       std::uint64_t not_converged);

}  // namespace vckv::sim
