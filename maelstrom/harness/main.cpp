// vckv-harness: a Maelstrom-like test runner for a cluster of vclock-kv nodes.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

#include "runner.hpp"

namespace {

constexpr const char* kFooter = R"(Example:
  vckv-harness test --bin build/vclock-kv --node-count 5 --time-limit 30 --rate 100 \
      --concurrency 2n --latency 50 --latency-dist uniform --nemesis partition \
      --nemesis-interval 5 --seed 7 --node-arg=--sync-interval-ms=50

Starts the nodes, runs read-modify-write clients against them while partitions come and go,
heals, waits --recovery-time, reads every key from every node and checks that the replicas
agree, that no acknowledged write was lost and that nothing unwritten appeared.
Results go to <store>/<timestamp>/ (results.json, history.jsonl, node-logs/, plots) and
<store>/latest. Exit status: 0 valid, 1 invalid, 2 unknown (the run could not be checked).)";

// "10" or "2n" (a multiple of the node count).
std::optional<std::size_t> parse_concurrency(const std::string& text, std::size_t nodes) {
  try {
    std::size_t used = 0;
    if (!text.empty() && text.back() == 'n') {
      const std::string factor = text.substr(0, text.size() - 1);
      const unsigned long k = factor.empty() ? 1 : std::stoul(factor, &used);
      if (!factor.empty() && used != factor.size()) return std::nullopt;
      return k * nodes;
    }
    const unsigned long k = std::stoul(text, &used);
    if (used != text.size()) return std::nullopt;
    return k;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vckv-harness - Maelstrom-like cluster tests for vclock-kv"};
  app.footer(kFooter);
  app.require_subcommand(1);
  CLI::App* test = app.add_subcommand("test", "Run one test against a cluster of nodes");

  vckv::harness::HarnessConfig cfg;
  std::string concurrency = "2n";
  std::string latency_dist = "constant";
  std::string nemesis = "none";
  test->add_option("--bin", cfg.bin, "The node binary")->required()->check(CLI::ExistingFile);
  test->add_option("--node-count", cfg.node_count, "Nodes in the cluster (n1..nN)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  test->add_option("--time-limit", cfg.time_limit_s, "Seconds of client traffic")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  test->add_option("--rate", cfg.rate, "Client requests per second, over all clients")
      ->capture_default_str()->check(CLI::Range(0.01, 1e6));
  test->add_option("--concurrency", concurrency, "Clients c1..cN: a number, or Kn for K times the node count")
      ->capture_default_str();
  test->add_option("--latency", cfg.latency_ms, "Mean node-to-node latency in ms (client links have none)")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  test->add_option("--latency-dist", latency_dist, "constant, uniform (0..2L) or exponential (mean L)")
      ->capture_default_str()->check(CLI::IsMember({"constant", "uniform", "exponential"}));
  test->add_option("--nemesis", nemesis, "partition: cut the network on and off; none: never")
      ->capture_default_str()->check(CLI::IsMember({"partition", "none"}));
  test->add_option("--nemesis-interval", cfg.nemesis_interval_s, "Seconds between partition and heal")
      ->capture_default_str()->check(CLI::Range(0.01, 86400.0));
  test->add_option("--recovery-time", cfg.recovery_time_s, "Seconds after the final heal before the final reads")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  test->add_option("--seed", cfg.seed, "Seed for every random choice of the harness")->capture_default_str();
  test->add_option("--store", cfg.store, "Directory for results")->capture_default_str();
  test->add_option("--node-arg", cfg.node_args,
                   "One extra argument for every node, e.g. --node-arg=--sync-interval-ms=50 (repeatable)")
      ->allow_extra_args(false);
  test->add_option("--keys", cfg.keys, "Keys 0..K-1 used by the workload")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  test->add_option("--timeout-ms", cfg.timeout_ms, "A client request unanswered this long is indeterminate")
      ->capture_default_str()->check(CLI::Range(1.0, 600000.0));
  test->add_option("--probe-interval-ms", cfg.probe_interval_ms,
                   "During recovery, read everything this often to time convergence (0: do not)")
      ->capture_default_str()->check(CLI::Range(0.0, 600000.0));

  CLI11_PARSE(app, argc, argv);

  const auto clients = parse_concurrency(concurrency, cfg.node_count);
  if (!clients || *clients == 0) {
    std::cerr << "--concurrency: expected a positive number or Kn (such as 2n), got " << concurrency << "\n";
    return 2;
  }
  cfg.concurrency = *clients;
  cfg.latency_dist = *vckv::harness::parse_latency_dist(latency_dist);
  cfg.partitions = nemesis == "partition";
  const vckv::harness::RunResult result = vckv::harness::run_test(cfg, std::cout);
  return vckv::harness::exit_status(result.verdict);
}
