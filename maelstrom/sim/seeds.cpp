#include "sim/seeds.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace vckv::sim {

namespace {

void add(SeedStats& into, const SeedStats& s) {
  into.client_ops += s.client_ops;
  into.writes += s.writes;
  into.acknowledged += s.acknowledged;
  into.indeterminate += s.indeterminate;
  into.deletes += s.deletes;
  into.deletes_acknowledged += s.deletes_acknowledged;
  into.resurrected += s.resurrected;
  into.reaped_keys += s.reaped_keys;
  into.reaps += s.reaps;
  into.reap_delays.insert(into.reap_delays.end(), s.reap_delays.begin(), s.reap_delays.end());
  into.reap_delays_after_heal.insert(into.reap_delays_after_heal.end(), s.reap_delays_after_heal.begin(),
                                     s.reap_delays_after_heal.end());
  into.dvv_reads += s.dvv_reads;
  into.read_versions += s.read_versions;
  into.max_read_siblings = std::max(into.max_read_siblings, s.max_read_siblings);
  into.duplicate_dots += s.duplicate_dots;
  into.false_siblings += s.false_siblings;
  into.writer_siblings += s.writer_siblings;
  into.node_messages += s.node_messages;
  into.node_bytes += s.node_bytes;
  into.syncs += s.syncs;
  into.client_messages += s.client_messages;
  into.dropped += s.dropped;
  into.duplicated += s.duplicated;
  into.replies_mismatched += s.replies_mismatched;
  into.bit_flips += s.bit_flips;
  into.compactions += s.compactions;
  into.io_stops += s.io_stops;
  into.events += s.events;
  into.missing_versions += s.missing_versions;
  into.missing_bytes += s.missing_bytes;
  into.catch_up_bytes += s.catch_up_bytes;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double ratio(std::uint64_t a, std::uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0; }

std::string ms(Micros us) { return fixed(static_cast<double>(us) / 1000.0, 1); }

}  // namespace

SeedsSummary run_seeds(const SimConfig& config, const SeedsOptions& options) {
  SeedsSummary summary;
  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  std::mutex mutex;  // guards summary
  auto record = [&](SeedResult r) {
    std::lock_guard<std::mutex> lock(mutex);
    ++summary.seeds_run;
    add(summary.totals, r.stats);
    if (r.stats.convergence) {
      summary.convergence.push_back(*r.stats.convergence);
    } else {
      ++summary.not_converged;
    }
    if (!r.valid) {
      if (r.explained) ++summary.explained;
      r.check.reasons.resize(std::min<std::size_t>(r.check.reasons.size(), 3));
      summary.failures.push_back(std::move(r));
      if (options.stop_at_first_failure) stop = true;
    }
  };
  // Takes the next seed and runs it; false when none is left (or a failure stops the run).
  auto run_next = [&] {
    if (stop.load()) return false;
    const std::uint64_t i = next.fetch_add(1);
    if (i >= options.count) return false;
    record(run_seed(config, options.first + i));
    done.fetch_add(1);
    return true;
  };
  const unsigned jobs = std::max(1u, options.jobs);
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back([&] { while (run_next()) {} });
  // The calling thread works too, reporting between seeds.
  auto last = std::chrono::steady_clock::now();
  while (run_next()) {
    const auto t = std::chrono::steady_clock::now();
    if (options.progress && t - last >= std::chrono::seconds(10)) {
      last = t;
      std::size_t failures;
      {
        std::lock_guard<std::mutex> lock(mutex);
        failures = summary.failures.size();
      }
      options.progress(done.load(), failures);
    }
  }
  for (std::thread& t : threads) t.join();
  summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(summary.failures.begin(), summary.failures.end(),
            [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });
  std::sort(summary.convergence.begin(), summary.convergence.end());
  return summary;
}

std::string costs_text(const SeedStats& t, std::uint64_t seeds, const std::vector<Micros>& convergence,
                       std::uint64_t not_converged) {
  std::string out;
  out += "workload per seed: " + fixed(ratio(t.client_ops, seeds), 1) + " client operations, " +
         fixed(ratio(t.writes, seeds), 1) + " writes (" + fixed(ratio(t.acknowledged, seeds), 1) + " acknowledged, " +
         fixed(ratio(t.indeterminate, seeds), 1) + " indeterminate)\n";
  if (t.deletes > 0) {
    out += "deletes per seed: " + fixed(ratio(t.deletes, seeds), 1) + " of the writes (" +
           fixed(ratio(t.deletes_acknowledged, seeds), 1) + " acknowledged); resurrected versions: " +
           std::to_string(t.resurrected) + " in all\n";
  }
  if (t.reaped_keys > 0) {
    std::vector<Micros> d = t.reap_delays;
    std::sort(d.begin(), d.end());
    auto pct = [&](std::size_t p) { return d[std::min(d.size() - 1, d.size() * p / 100)]; };
    out += "reaps: " + std::to_string(t.reaped_keys) + " keys' tombstones reaped (" + std::to_string(t.reaps) +
           " reaps over the nodes)";
    if (!d.empty()) {
      out += "; from the newest delete's request to the last node's reap: median " + ms(pct(50)) + " ms, p99 " +
             ms(pct(99)) + " ms, max " + ms(d.back()) + " ms";
    }
    std::vector<Micros> h = t.reap_delays_after_heal;
    std::sort(h.begin(), h.end());
    if (!h.empty()) {
      out += "; " + std::to_string(h.size()) + " after the final heal, from it (or a later delete's request): median " +
             ms(h[h.size() / 2]) + " ms, max " + ms(h.back()) + " ms";
    }
    out += "\n";
  }
  if (t.dvv_reads > 0) {
    out += "server clocks: " + fixed(ratio(t.dvv_reads, seeds), 1) + " dvv_get answered per seed, " +
           fixed(ratio(t.read_versions, t.dvv_reads), 2) + " versions per read, at most " +
           std::to_string(t.max_read_siblings) + " in one; duplicate dots " + std::to_string(t.duplicate_dots) +
           ", false siblings " + std::to_string(t.false_siblings) + ", several siblings per writer " +
           std::to_string(t.writer_siblings) + " in all\n";
  }
  out += "node-to-node: " + fixed(ratio(t.node_messages, t.client_ops), 2) + " messages and " +
         fixed(ratio(t.node_bytes, t.client_ops), 0) + " bytes per client operation; " +
         fixed(ratio(t.syncs, t.acknowledged), 2) + " syncs per acknowledged write; " +
         fixed(100 * ratio(t.dropped, t.node_messages), 2) + "% dropped, " +
         fixed(100 * ratio(t.duplicated, t.node_messages), 2) + "% duplicated; " +
         std::to_string(t.replies_mismatched) + " replies refused as meant for an earlier process\n";
  if (t.bit_flips > 0) {
    out += "disk corruption: " + std::to_string(t.bit_flips) + " bits flipped in killed nodes' logs and snapshots (" +
           fixed(ratio(t.bit_flips, seeds), 2) + " per seed)\n";
  }
  if (t.compactions > 0) {
    out += "compactions: " + std::to_string(t.compactions) + " of the nodes' data directories finished (" +
           fixed(ratio(t.compactions, seeds), 2) + " per seed)\n";
  }
  if (t.io_stops > 0) {
    out += "disk I/O errors: " + std::to_string(t.io_stops) + " node processes stopped by an EIO and restarted (" +
           fixed(ratio(t.io_stops, seeds), 2) + " per seed)\n";
  }
  out += "convergence after the heal (virtual): ";
  if (convergence.empty()) {
    out += "none converged";
  } else {
    Micros sum = 0;
    for (Micros c : convergence) sum += c;
    auto pct = [&](std::size_t p) { return convergence[std::min(convergence.size() - 1, convergence.size() * p / 100)]; };
    out += "mean " + ms(sum / static_cast<Micros>(convergence.size())) + " ms, median " + ms(pct(50)) + " ms, p99 " +
           ms(pct(99)) + " ms, max " + ms(convergence.back()) + " ms";
  }
  if (not_converged) out += "; " + std::to_string(not_converged) + " seeds did not converge";
  out += "\ncatch-up after the heal: " + fixed(ratio(t.missing_versions, seeds), 1) +
         " latest versions missing on a replica per seed (" + fixed(ratio(t.missing_bytes, seeds), 0) +
         " bytes as sync versions); " + fixed(ratio(t.catch_up_bytes, seeds), 0) +
         " node-to-node bytes from the heal to convergence";
  if (t.missing_bytes > 0) out += " (" + fixed(ratio(t.catch_up_bytes, t.missing_bytes), 2) + "x)";
  return out + "\n";
}

std::string summary_text(const SeedsSummary& s, unsigned jobs, const std::string& replay_prefix,
                         std::size_t max_failures_shown) {
  std::string out = "ran " + std::to_string(s.seeds_run) + " seeds in " + fixed(s.wall_seconds, 1) + " s on " +
                    std::to_string(jobs) + (jobs == 1 ? " thread" : " threads") + ": " +
                    fixed(s.seeds_per_second(), 1) + " seeds/s (" + fixed(60 * s.seeds_per_second(), 0) +
                    " per minute)\n";
  out += costs_text(s.totals, s.seeds_run, s.convergence, s.not_converged);
  if (s.failures.empty()) return out + "failures: 0\n";
  out += "failures: " + std::to_string(s.failures.size()) + " (" + std::to_string(s.explained) +
         " explained by kills: nothing but lost writes, each gone with the last node that held it; " +
         std::to_string(s.failures.size() - s.explained) + " unexplained)\n";
  std::size_t shown = 0;
  for (const SeedResult& r : s.failures) {
    if (shown++ == max_failures_shown) {
      out += "  ... and " + std::to_string(s.failures.size() - max_failures_shown) + " more\n";
      break;
    }
    out += "  seed " + std::to_string(r.seed) + (r.explained ? " [explained] " : " [UNEXPLAINED] ") + r.reason + "\n";
    if (!r.explanations.empty()) out += "    " + r.explanations.front() + "\n";
    if (!r.resurrections.empty()) out += "    " + r.resurrections.front() + "\n";
    out += "    replay: " + replay_prefix + " --seed " + std::to_string(r.seed) + " --trace\n";
  }
  return out;
}

}  // namespace vckv::sim
