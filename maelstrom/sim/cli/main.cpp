// vckv-sim: the deterministic cluster simulator (simulation.hpp) on the command line. Runs seed
// after seed and sums up, or replays one seed with its full trace.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "model/check/verdict.hpp"
#include "sim/seeds.hpp"
#include "sim/simulation.hpp"

namespace {

using namespace vckv::sim;

constexpr const char* kFooter = R"(Examples:
  vckv-sim --seeds 10000 --nodes 5 --faults partition,kill,pause,drop,duplicate,reorder \
      --node-arg=--write-quorum=3 --jobs 2
  vckv-sim --seed 4711 --trace --node-arg=--write-quorum=3 > seed-4711.txt

Each seed runs the whole cluster in this process on a virtual clock: --nodes vclock-kv nodes
(the node's own code, with the options given by --node-arg), --clients clients doing the
read-modify-write workload for --time-limit virtual seconds while the nemesis partitions,
kills (restart empty, with init; with --data-dir, from the node's simulated disk) and pauses one
node at a time, and the network drops,
duplicates and reorders node-to-node messages. Then every fault heals, the cluster runs until
every replica's store agrees (at most --recovery-limit), and the checker judges the final
states. The workload, the fault schedule and the checker are the cluster model's
(maelstrom/model/), as in vckv-harness: with the same seed, nodes, interval and time limit
both draw the same faults. Every choice comes from the seed: a seed replays byte for byte, here
or on another machine.

Exit status: 0 every seed valid, 1 a failure found, 64 a wrong command line (as vckv-harness).)";

struct Args {
  std::uint64_t seeds = 1000;
  std::uint64_t first_seed = 1;
  std::optional<std::uint64_t> seed;
  bool trace = false;
  std::size_t nodes = 5;
  double time_limit_s = 30;
  double rate = 60;
  std::size_t clients = 5;
  std::size_t keys = 10;
  std::string faults = "all";
  double fault_interval_s = 3;
  std::vector<std::string> shapes;
  double latency_ms = 2;
  double client_latency_ms = -1;
  double drop_pct = 2, duplicate_pct = 2, reorder_pct = 10;
  double reorder_max_ms = 100;
  std::string kill_in_flight = "lose";
  double timeout_ms = 1500;
  double recovery_limit_s = 30;
  std::string conflict;
  bool data_dir = false;
  std::string fsync;
  double power_loss_pct = 0;
  double torn_write_pct = 0;
  double bit_flip_pct = 0;
  double io_error_pct = 0;
  std::uint64_t compaction_bytes = 0;
  double sync_latency_ms = 0;
  std::vector<std::string> node_args;
  double delete_share = 0;
  std::string clocks = "client";
  std::size_t blind_writers = 0;
  std::optional<std::size_t> replicas;
  std::optional<std::size_t> vnodes;
  unsigned jobs = 1;
  bool stop_at_first_failure = false;
  std::size_t max_failures_shown = 20;
};

Micros micros(double units, double per_unit) { return static_cast<Micros>(std::llround(units * per_unit)); }
std::uint32_t ppm(double pct) { return static_cast<std::uint32_t>(std::llround(pct * 10'000)); }

// The options that shape a run, as a command that replays a seed with them.
// The binary as a path that runs from anywhere: /proc/self/exe, else argv[0].
std::string self_path(const char* argv0) {
  std::error_code ec;
  const auto exe = std::filesystem::canonical("/proc/self/exe", ec);
  return ec ? std::string(argv0) : exe.string();
}

std::string replay_prefix(const Args& a, const std::string& binary) {
  std::ostringstream s;
  s << binary << " --nodes " << a.nodes << " --time-limit " << a.time_limit_s << " --rate " << a.rate << " --clients "
    << a.clients << " --keys " << a.keys << " --faults " << a.faults << " --fault-interval " << a.fault_interval_s
    << " --latency " << a.latency_ms;
  if (a.client_latency_ms >= 0) s << " --client-latency " << a.client_latency_ms;
  s << " --drop " << a.drop_pct << " --duplicate " << a.duplicate_pct
    << " --reorder " << a.reorder_pct << " --reorder-max " << a.reorder_max_ms << " --kill-in-flight " << a.kill_in_flight
    << " --timeout " << a.timeout_ms
    << " --recovery-limit " << a.recovery_limit_s;
  for (const std::string& shape : a.shapes) s << " --partition-shapes " << shape;
  if (!a.conflict.empty()) s << " --conflict " << a.conflict;
  if (a.replicas) s << " --replicas " << *a.replicas;
  if (a.vnodes) s << " --vnodes " << *a.vnodes;
  if (a.data_dir) {
    s << " --data-dir";
    if (!a.fsync.empty()) s << " --fsync " << a.fsync;
    s << " --power-loss " << a.power_loss_pct << " --torn-writes " << a.torn_write_pct << " --sync-latency "
      << a.sync_latency_ms;
    if (a.bit_flip_pct > 0) s << " --bit-flips " << a.bit_flip_pct;
    if (a.io_error_pct > 0) s << " --io-errors " << a.io_error_pct;
    if (a.compaction_bytes > 0) s << " --compaction-bytes " << a.compaction_bytes;
  }
  if (a.delete_share > 0) s << " --delete-share " << a.delete_share;
  if (a.clocks == "server") s << " --clocks server --blind-writers " << a.blind_writers;
  for (const std::string& arg : a.node_args) s << " --node-arg=" << arg;
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  using vckv::model::kExitUsage;
  Args a;
  CLI::App app{"vckv-sim: a deterministic simulation of a vclock-kv cluster; thousands of seeded runs a minute, "
               "every failure replayable from its seed"};
  app.footer(kFooter);
  app.add_option("--seeds", a.seeds, "How many seeds to run, from --first-seed on")
      ->capture_default_str()->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  app.add_option("--first-seed", a.first_seed, "The first seed of --seeds")->capture_default_str();
  app.add_option("--seed", a.seed, "Run this one seed only (with --trace: print its full story)");
  app.add_flag("--trace", a.trace,
               "With --seed: print every message sent, delivered, dropped and duplicated, every fault, every "
               "client operation, the final states and the checker's reasoning; the same bytes on every replay");
  app.add_option("--nodes", a.nodes, "Nodes in the cluster")->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{32}));
  app.add_option("--time-limit", a.time_limit_s, "Virtual seconds of workload and faults per seed")
      ->capture_default_str()->check(CLI::Range(0.001, 86400.0));
  app.add_option("--rate", a.rate, "Client requests per virtual second, over all clients")
      ->capture_default_str()->check(CLI::Range(0.01, 1e6));
  app.add_option("--clients", a.clients, "Clients, each with one request out at a time")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  app.add_option("--keys", a.keys, "Keys the clients read and write (integers 0..keys-1)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_option("--faults", a.faults,
                 "Comma-separated: partition, kill, pause, bounce, disk-loss (one at a time, in turns, during fault "
                 "periods; a bounce kills a node and restarts it at once, 2 to 5 times, sooner than its messages "
                 "arrive; disk-loss, a kill that also loses the node's --data-dir disk, is not part of all; nor is "
                 "replica-loss, with --replicas: a key's first replica cut off from its other replicas, then "
                 "killed with its disk, healed and restarted when the period ends) and drop, "
                 "duplicate, reorder (node-to-node messages, all through the workload); or all, or none")
      ->capture_default_str();
  app.add_option("--fault-interval", a.fault_interval_s,
                 "Virtual seconds healthy, then as long with one node fault, and so on")
      ->capture_default_str()->check(CLI::Range(0.001, 86400.0));
  app.add_option("--partition-shapes", a.shapes, "Limit partitions to these shapes (default: all)")
      ->check(CLI::IsMember({"isolated", "halves", "majorities-ring", "replicas"}));
  app.add_option("--latency", a.latency_ms, "Mean one-way message delay in virtual ms (uniform over [L/2, 3L/2])")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  app.add_option("--client-latency", a.client_latency_ms,
                 "Mean client-node delay in virtual ms (default: --latency)")
      ->check(CLI::Range(0.0, 60000.0));
  app.add_option("--drop", a.drop_pct, "With drop: percent of node-to-node messages lost")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--duplicate", a.duplicate_pct, "With duplicate: percent of node-to-node messages delivered twice")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--reorder", a.reorder_pct,
                 "With reorder: percent of node-to-node messages delayed by up to --reorder-max more (links are "
                 "FIFO otherwise)")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--reorder-max", a.reorder_max_ms, "The most a reordered message is held back, virtual ms")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  app.add_option("--kill-in-flight", a.kill_in_flight,
                 "What a kill does to the messages the node sent that have not arrived: lose them (a machine "
                 "crash) or deliver them (a process crash, as vckv-harness's SIGKILL)")
      ->capture_default_str()->check(CLI::IsMember({"lose", "deliver"}));
  app.add_option("--timeout", a.timeout_ms, "A client request unanswered this long (virtual ms) is indeterminate")
      ->capture_default_str()->check(CLI::Range(1.0, 600000.0));
  app.add_option("--recovery-limit", a.recovery_limit_s,
                 "After the heal, the most virtual seconds to wait for every store to agree before the final reads")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app.add_option("--conflict", a.conflict, "Pass --conflict=MODE to every node (the checker follows the nodes' mode)")
      ->check(CLI::IsMember({"siblings", "lww"}));
  app.add_option("--replicas", a.replicas,
                 "Replicas per key (docs/protocol.md §14), set in every node's options; 0 (default): every node "
                 "holds every key. With 1 <= N < --nodes the checker knows the ring and --partition-shapes gains "
                 "replicas (a key's replicas cut off from the other nodes)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  app.add_option("--vnodes", a.vnodes, "Points per node on the ring (default 64), set in every node's options")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_flag("--data-dir", a.data_dir,
               "Every node keeps its store on a simulated disk of its own (--data-dir, docs/protocol.md §15) that "
               "outlives its kills: a kill is a process crash, or a power loss (--power-loss); disk-loss wipes it");
  app.add_option("--fsync", a.fsync, "With --data-dir: the nodes' --fsync policy (default batch)")
      ->check(CLI::IsMember({"batch", "interval", "never"}));
  app.add_option("--power-loss", a.power_loss_pct,
                 "With --data-dir: percent of kills that are power losses (what was not fdatasynced is lost, kept "
                 "or torn at a seeded offset)")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--torn-writes", a.torn_write_pct,
                 "With --data-dir: at a power loss, percent of files whose surviving unsynced bytes are partly garbage")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--bit-flips", a.bit_flip_pct,
                 "With --data-dir: percent of kills after which one bit of the node's disk flips (at a seeded "
                 "place among all its stored bytes) before it restarts; recovery finds the damaged record by its "
                 "checksum and keeps what precedes it (docs/protocol.md §15), anti-entropy refills the rest")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--io-errors", a.io_error_pct,
                 "With --data-dir: percent of the nodes' disk writes and fdatasyncs that fail with EIO until the final "
                 "heal (e.g. 0.01); a node stops at its first, without releasing that turn's replies (the binary "
                 "exits 74), and is restarted 0.1 to 1 virtual s later from what its disk kept, as after a power loss")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--compaction-bytes", a.compaction_bytes,
                 "With --data-dir: the nodes compact their data directories once the files pass this many bytes (and "
                 "twice the live data), a copy step at a time; each node process draws whether a compaction runs whole "
                 "in one turn or over several. A few KiB (4096) makes every run compact under every fault; 0 (default): "
                 "the node's own threshold (16 MiB), which a simulated run never reaches")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 40));
  app.add_option("--sync-latency", a.sync_latency_ms,
                 "With --data-dir: each fdatasync takes up to this many virtual ms (uniform), and the turn's output "
                 "waits for it")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  app.add_option("--delete-share", a.delete_share,
                 "The fraction (0..1) of writes after a read that are deletes: kv_delete with the clock the write "
                 "would have had (docs/protocol.md §16); 0: none, the same runs as without the option")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--clocks", a.clocks,
                 "Who keeps the clocks (docs/protocol.md §17): client (kv_put, kv_get with vector clocks), or server "
                 "(every node gets --clocks=server; clients send dvv_update, dvv_get, dvv_delete with the context "
                 "they last read of the key; the checker applies the dvv rules). In a cluster, server implies "
                 "--data-dir with --fsync batch")
      ->capture_default_str()->check(CLI::IsMember({"client", "server"}));
  app.add_option("--blind-writers", a.blind_writers,
                 "With --clocks server: how many of the clients (c1..cK) are blind writers, always sending an empty "
                 "context, to show the siblings a client without context makes")
      ->capture_default_str();
  app.add_option("--node-arg", a.node_args,
                 "An option for every node, as the binary takes it (repeatable), e.g. --node-arg=--write-quorum=3");
  app.add_option("--jobs", a.jobs, "Threads running seeds (results do not depend on it)")
      ->capture_default_str()->check(CLI::Range(1u, 256u));
  app.add_flag("--stop-at-first-failure", a.stop_at_first_failure, "Stop once a seed fails");
  app.add_option("--max-failures-shown", a.max_failures_shown, "Failures listed in the summary")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (a.trace && !a.seed) {
    std::cerr << "vckv-sim: --trace needs --seed S (one seed's trace)\n";
    return kExitUsage;
  }
  SimConfig cfg;
  std::string error;
  const auto faults = parse_faults(a.faults, error);
  if (!faults) {
    std::cerr << "vckv-sim: --faults: " << error << "\n";
    return kExitUsage;
  }
  cfg.faults = *faults;
  cfg.nodes = a.nodes;
  cfg.time_limit = micros(a.time_limit_s, 1e6);
  cfg.rate = a.rate;
  cfg.clients = a.clients;
  cfg.keys = a.keys;
  cfg.fault_interval = micros(a.fault_interval_s, 1e6);
  cfg.partition_shapes = a.shapes;
  cfg.latency = micros(a.latency_ms, 1e3);
  cfg.client_latency = a.client_latency_ms < 0 ? -1 : micros(a.client_latency_ms, 1e3);
  cfg.drop_ppm = ppm(a.drop_pct);
  cfg.duplicate_ppm = ppm(a.duplicate_pct);
  cfg.reorder_ppm = ppm(a.reorder_pct);
  cfg.reorder_max = micros(a.reorder_max_ms, 1e3);
  cfg.client_timeout = micros(a.timeout_ms, 1e3);
  cfg.kill_loses_in_flight = a.kill_in_flight == "lose";
  cfg.recovery_limit = micros(a.recovery_limit_s, 1e6);
  cfg.delete_ppm = static_cast<std::uint32_t>(std::llround(a.delete_share * 1e6));
  cfg.node_args = a.node_args;
  if (!a.conflict.empty()) cfg.node_args.push_back("--conflict=" + a.conflict);
  if (!a.fsync.empty() && !a.data_dir) {
    std::cerr << "vckv-sim: --fsync needs --data-dir\n";
    return kExitUsage;
  }
  if (a.io_error_pct > 0 && !a.data_dir && a.clocks != "server") {
    std::cerr << "vckv-sim: --io-errors needs --data-dir: without a disk there is nothing to fail\n";
    return kExitUsage;
  }
  if (a.compaction_bytes > 0 && !a.data_dir && a.clocks != "server") {
    std::cerr << "vckv-sim: --compaction-bytes needs --data-dir: without a disk there is nothing to compact\n";
    return kExitUsage;
  }
  if (a.bit_flip_pct > 0 && !a.data_dir && a.clocks != "server") {
    std::cerr << "vckv-sim: --bit-flips needs --data-dir: without a disk there is nothing to corrupt\n";
    return kExitUsage;
  }
  for (const std::string& arg : a.node_args) {
    if (arg.rfind("--clocks", 0) == 0) {
      std::cerr << "vckv-sim: give --clocks to vckv-sim, not as --node-arg=" << arg
                << ": the clients and the checker must know who keeps the clocks\n";
      return kExitUsage;
    }
  }
  if (a.blind_writers > 0 && a.clocks != "server") {
    std::cerr << "vckv-sim: --blind-writers needs --clocks server (a blind writer sends an empty context)\n";
    return kExitUsage;
  }
  if (a.blind_writers > a.clients) {
    std::cerr << "vckv-sim: --blind-writers " << a.blind_writers << " is more than --clients " << a.clients << "\n";
    return kExitUsage;
  }
  if (a.clocks == "server") {
    if (a.conflict == "lww") {
      std::cerr << "vckv-sim: --clocks server cannot be combined with --conflict lww: last-writer-wins orders "
                   "positional vector clocks (docs/protocol.md §13, §17)\n";
      return kExitUsage;
    }
    if (a.nodes > 1 && !a.fsync.empty() && a.fsync != "batch") {
      std::cerr << "vckv-sim: --clocks server in a cluster needs --fsync batch (got --fsync " << a.fsync
                << "): a restarted node must never issue a dot it issued before (docs/protocol.md §17)\n";
      return kExitUsage;
    }
    if (a.nodes > 1 && !a.data_dir) {
      std::cerr << "vckv-sim: --clocks server in a cluster implies --data-dir (each node on a simulated disk, "
                   "--fsync batch): a restarted node must never issue a dot it issued before (docs/protocol.md §17)\n";
      a.data_dir = true;
    }
    cfg.node_args.push_back("--clocks=server");
    cfg.server_clocks = true;
    cfg.blind_writers = a.blind_writers;
  }
  if (a.data_dir) {
    cfg.node_args.push_back("--data-dir=/disk");
    if (!a.fsync.empty()) cfg.node_args.push_back("--fsync=" + a.fsync);
  }
  cfg.power_loss_ppm = ppm(a.power_loss_pct);
  cfg.bit_flip_ppm = ppm(a.bit_flip_pct);
  cfg.io_error_ppm = ppm(a.io_error_pct);
  cfg.compaction_bytes = a.compaction_bytes;
  cfg.disk.append_error_per_million = cfg.disk.sync_error_per_million = cfg.io_error_ppm;
  cfg.disk.torn_write_per_million = ppm(a.torn_write_pct);
  cfg.disk.sync_latency_max_us = micros(a.sync_latency_ms, 1e3);
  if (!configure(cfg, error)) {
    std::cerr << "vckv-sim: " << error << "\n";
    return kExitUsage;
  }
  if (a.replicas) cfg.node.replicas = *a.replicas;
  if (a.vnodes) cfg.node.vnodes = *a.vnodes;
  const bool ring = cfg.node.replicas != 0 && cfg.node.replicas < cfg.nodes;
  if (std::find(a.shapes.begin(), a.shapes.end(), "replicas") != a.shapes.end() && !ring) {
    std::cerr << "vckv-sim: --partition-shapes replicas needs a ring: --replicas N with 1 <= N < --nodes (got "
              << cfg.node.replicas << " replicas on " << cfg.nodes << " nodes)\n";
    return kExitUsage;
  }

  if (a.seed) {
    std::string trace;
    const SeedResult r = run_seed(cfg, *a.seed, a.trace ? &trace : nullptr);
    std::cout << trace;
    std::cout << "seed " << r.seed << ": " << (r.valid ? "valid" : "INVALID: " + r.reason) << "\n";
    for (const std::string& e : r.explanations) std::cout << "  " << e << "\n";
    for (const std::string& e : r.resurrections) std::cout << "  " << e << "\n";
    std::cout << costs_text(r.stats, 1, r.stats.convergence ? std::vector<Micros>{*r.stats.convergence} : std::vector<Micros>{},
                            r.stats.convergence ? 0 : 1);
    return r.valid ? vckv::model::kExitValid : vckv::model::kExitInvalid;
  }

  std::cout << "vckv-sim: seeds " << a.first_seed << ".." << a.first_seed + a.seeds - 1 << ", " << a.nodes
            << " nodes, " << a.time_limit_s << " virtual s each, faults " << faults_name(cfg.faults)
            << (a.node_args.empty() && a.conflict.empty() ? "" : ", node options:");
  for (const std::string& arg : cfg.node_args) std::cout << " " << arg;
  if (a.replicas || a.vnodes) {
    std::cout << ", replicas " << cfg.node.replicas << (ring ? "" : " (every node holds every key)") << ", vnodes "
              << cfg.node.vnodes;
  }
  std::cout << "\nworkload: " << a.clients << " clients, " << a.rate << " requests per virtual s over " << a.keys
            << " keys, timeout " << a.timeout_ms << " ms; latency " << a.latency_ms << " ms"
            << (a.delete_share > 0 ? "; delete share " + std::to_string(a.delete_share).substr(0, 5) : std::string())
            << std::endl;
  SeedsOptions options;
  options.first = a.first_seed;
  options.count = a.seeds;
  options.jobs = a.jobs;
  options.stop_at_first_failure = a.stop_at_first_failure;
  options.progress = [](std::uint64_t done, std::size_t failures) {
    std::cout << "  ... " << done << " seeds, " << failures << " failures" << std::endl;
  };
  const SeedsSummary summary = run_seeds(cfg, options);
  std::cout << summary_text(summary, a.jobs, replay_prefix(a, self_path(argv[0])), a.max_failures_shown);
  return summary.failures.empty() ? vckv::model::kExitValid : vckv::model::kExitInvalid;
}
