// vckv-harness: a Maelstrom-like test runner for a cluster of vclock-kv nodes.
//   test     run a test and check it            explain  tell why a key ended as it did
//   svg      draw a window of a run's messages   serve    browse the store over HTTP
//   repl     drive a cluster by hand
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "harness/repl.hpp"
#include "harness/runner.hpp"
#include "model/check/verdict.hpp"
#include "reports/draw/svg.hpp"
#include "reports/explain_store.hpp"
#include "reports/files/run_archive.hpp"
#include "reports/serve.hpp"

namespace {

using namespace vckv::harness;
namespace model = vckv::model;
namespace reports = vckv::reports;

constexpr const char* kMainFooter = R"(Subcommands (each has --help):
  test     run a test against a cluster of nodes and check it
  explain  tell the causal story of a key in a stored run
  svg      draw messages.svg again, for a chosen window of a stored run
  serve    a web page over the store: every run, its diagrams, plots and files
  repl     start a cluster and drive it by hand (put, get, partition, kill...)

Example:
  vckv-harness test --bin build/vclock-kv --node-count 5 --time-limit 30 --rate 100 \
      --concurrency 2n --latency 50 --latency-dist uniform --nemesis partition \
      --nemesis-interval 5 --seed 7

Exit status of test: 0 valid, 1 invalid, 2 unknown (the run could not be checked).
Every subcommand: 64 for a wrong command line, 70 when the harness itself failed.)";

constexpr const char* kTestFooter = R"(Example:
  vckv-harness test --bin build/vclock-kv --node-count 5 --time-limit 30 --rate 100 \
      --concurrency 2n --latency 50 --latency-dist uniform --nemesis partition,kill,pause \
      --nemesis-interval 5 --seed 7 --node-arg=--sync-interval-ms=50

Starts the nodes, runs read-modify-write clients against them while the nemesis injects
faults, heals, waits --recovery-time, reads every key from every node and checks that the
replicas agree, that no acknowledged write was lost and that nothing unwritten appeared.
Results go to <store>/<test-name>/<time>/ (results.json, history.jsonl/.txt, net.jsonl,
final-state.json, explain.txt, messages.svg, timeline.html, plots, node-logs/), with
<store>/latest and <store>/<test-name>/latest pointing at it.
Exit status: 0 valid, 1 invalid, 2 unknown (the run could not be checked: a node could not
start or answer init, or final reads failed), 64 usage error, 70 harness error.)";

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

struct TestArgs {
  reports::TestConfig cfg;
  std::string concurrency = "2n";
  std::string latency_dist = "constant";
  std::string conflict = "siblings";
  std::string clocks = "client";
  std::string nemesis = "none";
};

void add_test_options(CLI::App* test, TestArgs& a) {
  reports::TestConfig& cfg = a.cfg;
  test->footer(kTestFooter);
  test->add_option("--bin", cfg.bin, "The node binary")->required()->check(CLI::ExistingFile);
  test->add_option("--node-count", cfg.node_count, "Nodes in the cluster (n1..nN)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  test->add_option("--time-limit", cfg.time_limit_s, "Seconds of client traffic")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  test->add_option("--rate", cfg.rate, "Client requests per second, over all clients")
      ->capture_default_str()->check(CLI::Range(0.01, 1e6));
  test->add_option("--concurrency", a.concurrency, "Clients c1..cN: a number, or Kn for K times the node count")
      ->capture_default_str();
  test->add_option("--latency", cfg.latency_ms, "Mean node-to-node latency in ms (client links have none)")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  test->add_option("--latency-dist", a.latency_dist, "constant, uniform (0..2L) or exponential (mean L)")
      ->capture_default_str()->check(CLI::IsMember({"constant", "uniform", "exponential"}));
  test->add_option("--nemesis", a.nemesis,
                   "Faults, comma-separated: partition (cut the network), kill (SIGKILL a node, restart it "
                   "empty when the fault ends), pause (SIGSTOP, then SIGCONT), disk-loss (a kill that also removes "
                   "the node's --data-dir directory before the restart), replica-loss (with --replicas: a key's "
                   "first replica cut off from its other replicas, then killed and its --data-dir directory "
                   "removed; healed and restarted when the fault ends); or none")
      ->capture_default_str()->check([](const std::string& v) {
        std::string error;
        return model::parse_fault_list(v, model::period_faults(), false, error) ? std::string() : error;
      });
  test->add_option("--nemesis-interval", cfg.nemesis_interval_s, "Seconds healthy, then seconds of one fault, alternating")
      ->capture_default_str()->check(CLI::Range(0.01, 86400.0));
  test->add_option("--max-down", cfg.max_down, "Most nodes killed or paused at once")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  test->add_option("--recovery-time", cfg.recovery_time_s, "Seconds after the final heal before the final reads")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  test->add_option("--seed", cfg.seed, "Seed for every random choice of the harness")->capture_default_str();
  test->add_option("--store", cfg.store, "Directory for results")->capture_default_str();
  test->add_option("--test-name", cfg.test_name, "Results go to <store>/<test-name>/<time>/ (default: kv-<nemesis>)");
  test->add_option("--node-arg", cfg.node_args,
                   "One extra argument for every node, e.g. --node-arg=--sync-interval-ms=50 (repeatable)")
      ->allow_extra_args(false);
  test->add_option("--data-dir", cfg.data_dir,
                   "Every node keeps its store in DIR/<id>/ (the node's --data-dir), kept across its kills and "
                   "restarts; default: in memory");
  test->add_option("--partition-shapes", cfg.partition_shapes,
                   "The partitions to draw from (comma-separated): isolated, halves, majorities-ring, "
                   "replicas (a key's replicas cut off from the other nodes; needs --replicas) "
                   "(default: all of them)")
      ->delimiter(',')
      ->check(CLI::IsMember({"isolated", "halves", "majorities-ring", "replicas"}));
  test->add_option("--replicas", cfg.replicas,
                   "Replicas per key (docs/protocol.md §14), passed to every node as --replicas=N; 0: every "
                   "node holds every key (nothing passed). With 1 <= N < --node-count the final reads use "
                   "local_get and the checker knows the ring")
      ->capture_default_str()->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  test->add_option("--vnodes", cfg.vnodes, "Points per node on the ring, passed to every node as --vnodes=V "
                                           "(with --replicas, or when not 64)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  test->add_option("--conflict", a.conflict,
                   "The nodes' conflict mode, passed to them and checked: siblings, or lww (one "
                   "version per key; acknowledged writes lost to the order are counted, not failures)")
      ->capture_default_str()->check(CLI::IsMember({"siblings", "lww"}));
  test->add_option("--clocks", a.clocks,
                   "Who keeps the clocks (docs/protocol.md §17): client (kv_put, kv_get with vector clocks), or "
                   "server (every node gets --clocks=server; clients send dvv_update, dvv_get, dvv_delete with the "
                   "context they last read of the key; the checker applies the dvv rules). In a cluster, server "
                   "needs --data-dir with --fsync batch: without --data-dir the nodes keep their stores in the run "
                   "directory's data/")
      ->capture_default_str()->check(CLI::IsMember({"client", "server"}));
  test->add_option("--blind-writers", cfg.blind_writers,
                   "With --clocks server: how many of the clients (c1..cK) are blind writers, always sending an "
                   "empty context, to show the siblings a client without context makes")
      ->capture_default_str();
  test->add_option("--delete-share", cfg.delete_share,
                   "The fraction (0..1) of writes after a read that are deletes: kv_delete with the clock the write "
                   "would have had (docs/protocol.md §16); 0: none")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  test->add_option("--keys", cfg.keys, "Keys 0..K-1 used by the workload")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  test->add_option("--timeout-ms", cfg.timeout_ms, "A client request unanswered this long is indeterminate")
      ->capture_default_str()->check(CLI::Range(1.0, 600000.0));
  test->add_option("--probe-interval-ms", cfg.probe_interval_ms,
                   "During recovery, read everything this often to time convergence (0: do not)")
      ->capture_default_str()->check(CLI::Range(0.0, 600000.0));
  test->add_option("--digest-interval-ms", cfg.digest_interval_ms,
                   "During recovery, ask every node for its hash trees' roots (tree_roots) this often to time "
                   "convergence cheaply, whatever the number of keys (0: do not)")
      ->capture_default_str()->check(CLI::Range(0.0, 600000.0));
  test->add_option("--read-concurrency", cfg.read_concurrency, "Probe and final reads in flight per node")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  test->add_option("--final-read-attempts", cfg.final_read_attempts,
                   "Tries per final read (a timeout or error reply is retried)")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  test->add_option("--init-timeout", cfg.init_timeout_s, "Seconds a node has to answer init")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  test->add_option("--progress-interval", cfg.progress_interval_s,
                   "Seconds between progress lines when stdout is not a terminal (0: none)")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  test->add_option("--svg-max-messages", cfg.svg_max_messages,
                   "messages.svg draws at most this many messages (beyond: a window around the first fault, "
                   "through its heal)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  test->add_option("--svg-from", cfg.svg_from_s, "messages.svg: draw messages sent from this second on")
      ->check(CLI::Range(0.0, 1e9));
  test->add_option("--svg-to", cfg.svg_to_s, "messages.svg: draw messages sent up to this second")
      ->check(CLI::Range(0.0, 1e9));
  test->add_option("--timeline-max-ops", cfg.timeline_max_ops,
                   "timeline.html shows at most this many operations (a window of the run beyond)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
}

int run_test_command(TestArgs& a) {
  const auto clients = parse_concurrency(a.concurrency, a.cfg.node_count);
  if (!clients || *clients == 0) {
    std::cerr << "--concurrency: expected a positive number or Kn (such as 2n), got " << a.concurrency << "\n";
    return model::kExitUsage;
  }
  if (!a.cfg.test_name.empty() && !reports::valid_test_name(a.cfg.test_name)) {
    std::cerr << "--test-name: \"" << a.cfg.test_name << "\" is not a usable directory name (letters, digits and "
              << "- _ . + , only; not \"latest\")\n";
    return model::kExitUsage;
  }
  const bool ring = a.cfg.replicas != 0 && a.cfg.replicas < a.cfg.node_count;
  if (std::find(a.cfg.partition_shapes.begin(), a.cfg.partition_shapes.end(), "replicas") !=
          a.cfg.partition_shapes.end() && !ring) {
    std::cerr << "--partition-shapes replicas needs a ring: --replicas N with 1 <= N < --node-count (got "
              << a.cfg.replicas << " replicas on " << a.cfg.node_count << " nodes)\n";
    return model::kExitUsage;
  }
  a.cfg.concurrency = *clients;
  a.cfg.latency_dist = *model::parse_latency_dist(a.latency_dist);
  a.cfg.conflict = a.conflict == "lww" ? model::ConflictMode::kLww : model::ConflictMode::kSiblings;
  for (const std::string& arg : a.cfg.node_args) {
    if (arg.rfind("--clocks", 0) == 0) {
      std::cerr << "give --clocks to the harness, not as --node-arg=" << arg
                << ": the clients and the checker must know who keeps the clocks\n";
      return model::kExitUsage;
    }
  }
  if (a.cfg.blind_writers > 0 && a.clocks != "server") {
    std::cerr << "--blind-writers needs --clocks server (a blind writer sends an empty context)\n";
    return model::kExitUsage;
  }
  if (a.cfg.blind_writers > a.cfg.concurrency) {
    std::cerr << "--blind-writers " << a.cfg.blind_writers << " is more than the " << a.cfg.concurrency << " clients\n";
    return model::kExitUsage;
  }
  if (a.clocks == "server") {
    if (a.conflict == "lww") {
      std::cerr << "--clocks server cannot be combined with --conflict lww: last-writer-wins orders positional "
                   "vector clocks (docs/protocol.md §13, §17)\n";
      return model::kExitUsage;
    }
    for (const std::string& arg : a.cfg.node_args) {
      if (a.cfg.node_count > 1 && arg.rfind("--fsync", 0) == 0 && arg != "--fsync=batch" && arg.rfind("--fsync-", 0) != 0) {
        std::cerr << "--clocks server in a cluster needs --fsync batch (got --node-arg=" << arg
                  << "): a restarted node must never issue a dot it issued before (docs/protocol.md §17)\n";
        return model::kExitUsage;
      }
    }
    a.cfg.server_clocks = true;
    a.cfg.conflict = model::ConflictMode::kDvv;
  }
  std::string error;
  a.cfg.faults = *model::parse_fault_list(a.nemesis, model::period_faults(), false, error);
  a.cfg.tty = ::isatty(STDOUT_FILENO) == 1;
  const RunResult result = run_test(a.cfg, std::cout);
  return result.harness_error ? model::kExitHarnessError : model::exit_status(result.verdict);
}

struct ExplainArgs {
  std::string dir;
  std::vector<std::string> keys;
};

int run_explain_command(const ExplainArgs& a) {
  if (!std::filesystem::is_directory(a.dir)) {
    std::cerr << "explain: " << a.dir << " is not a directory (expected a run directory such as store/latest)\n";
    return model::kExitUsage;
  }
  std::set<std::string> keys;
  for (const std::string& k : a.keys) keys.insert(reports::key_text_from_argument(k));
  std::string error;
  auto stories = reports::load_stories(a.dir, keys, error);
  if (!stories) {
    std::cerr << "explain: " << error << "\n";
    return model::kExitHarnessError;
  }
  if (stories->stories.empty()) std::cout << "No key of this run ended with several siblings; name one: explain DIR KEY\n";
  for (const reports::KeyStory& s : stories->stories) std::cout << reports::explain_key(s, stories->context) << "\n";
  return 0;
}

struct SvgArgs {
  std::string dir;
  double from_s = -1, to_s = -1;
  std::size_t max_messages = 3000;
  std::string output = "messages.svg";
};

int run_svg_command(const SvgArgs& a) {
  if (!std::filesystem::is_directory(a.dir)) {
    std::cerr << "svg: " << a.dir << " is not a directory (expected a run directory such as store/latest)\n";
    return model::kExitUsage;
  }
  if (a.output.find('/') != std::string::npos || a.output.empty()) {
    std::cerr << "svg: --output is a file name inside the run directory, got \"" << a.output << "\"\n";
    return model::kExitUsage;
  }
  std::string note;
  if (std::string err = reports::write_messages_svg(a.dir, a.output, a.max_messages, a.from_s, a.to_s, note); !err.empty()) {
    std::cerr << "svg: " << err << "\n";
    return model::kExitHarnessError;
  }
  std::cout << a.dir << "/" << a.output << ": " << note << "\n";
  return 0;
}

void add_serve_options(CLI::App* serve, reports::ServeOptions& o) {
  serve->add_option("--store", o.store, "The store directory to serve")->capture_default_str();
  serve->add_option("--host", o.host, "IPv4 address to listen on")->capture_default_str();
  serve->add_option("--port", o.port, "TCP port; 0 picks a free one")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  serve->footer("Example:\n  vckv-harness serve --store store --port 8080\n  then open http://127.0.0.1:8080/\n\n"
                "Lists every run of the store, newest first, coloured by verdict (valid green, invalid red, "
                "unknown amber, repl sessions blue), with links to messages.svg, timeline.html, the plots, "
                "results.json, history.txt and explain.txt. Runs until interrupted.");
}

void add_repl_options(CLI::App* repl, ReplOptions& o) {
  repl->add_option("--bin", o.bin, "The node binary")->required()->check(CLI::ExistingFile);
  repl->add_option("--node-count", o.node_count, "Nodes n1..nN")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  repl->add_option("--latency", o.latency_ms, "Mean node-to-node latency in ms")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  repl->add_option("--latency-dist", o.latency_dist, "constant, uniform (0..2L) or exponential (mean L)")
      ->capture_default_str()->check(CLI::IsMember({"constant", "uniform", "exponential"}));
  repl->add_option("--data-dir", o.data_dir,
                   "Every node keeps its store in DIR/<id>/ (the node's --data-dir), kept across kill and restart");
  repl->add_option("--node-arg", o.node_args, "One extra argument for every node (repeatable)")
      ->allow_extra_args(false);
  repl->add_option("--store", o.store, "The session is recorded in <store>/repl/<time>/")->capture_default_str();
  repl->add_option("--timeout-ms", o.timeout_ms, "How long a command waits for its reply")
      ->capture_default_str()->check(CLI::Range(1.0, 600000.0));
  repl->add_option("--seed", o.seed, "Seed for the latency samples")->capture_default_str();
  repl->add_option("--echo", o.echo, "Print each command before its result: auto (when stdin is not a terminal), on, off")
      ->capture_default_str()->check(CLI::IsMember({"auto", "on", "off"}));
  repl->footer(std::string("Example:\n  vckv-harness repl --bin build/vclock-kv --node-count 3\n  "
                           "vckv-harness repl --bin build/vclock-kv < session.txt > transcript.txt\n\n") +
               kReplHelp);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vckv-harness - Maelstrom-like cluster tests for vclock-kv"};
  app.footer(kMainFooter);
  app.require_subcommand(1);

  TestArgs test_args;
  CLI::App* test = app.add_subcommand("test", "Run one test against a cluster of nodes and check it");
  add_test_options(test, test_args);

  ExplainArgs explain_args;
  CLI::App* explain = app.add_subcommand("explain", "Tell the causal story of keys in a stored run");
  explain->add_option("dir", explain_args.dir, "A run directory, e.g. store/latest")->required();
  explain->add_option("keys", explain_args.keys,
                      "Keys: 3 is the integer key, x or '\"3\"' a string key (default: every key that ended "
                      "with several siblings)");
  explain->footer("Example:\n  vckv-harness explain store/latest 3\n\nPrints, for each key, its final siblings, "
                  "the writes that made them (client, node, reply), what each client had read, which clock slots "
                  "make them concurrent and why neither writer saw the other.");

  SvgArgs svg_args;
  CLI::App* svg = app.add_subcommand("svg", "Draw messages.svg again for a window of a stored run");
  svg->add_option("dir", svg_args.dir, "A run directory, e.g. store/latest")->required();
  svg->add_option("--from", svg_args.from_s, "First second of the window (send time)")->check(CLI::Range(0.0, 1e9));
  svg->add_option("--to", svg_args.to_s, "Last second of the window (send time)")->check(CLI::Range(0.0, 1e9));
  svg->add_option("--max-messages", svg_args.max_messages, "Draw at most this many messages")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  svg->add_option("--output", svg_args.output, "File name in the run directory")->capture_default_str();
  svg->footer("Example:\n  vckv-harness svg store/latest --from 12 --to 14.5 --output partition-2.svg");

  reports::ServeOptions serve_opts;
  CLI::App* serve = app.add_subcommand("serve", "Serve the store as web pages on localhost");
  add_serve_options(serve, serve_opts);

  ReplOptions repl_opts;
  CLI::App* repl = app.add_subcommand("repl", "Start a cluster and drive it by hand");
  add_repl_options(repl, repl_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : model::kExitUsage;
  }
  if (test->parsed()) return run_test_command(test_args);
  if (explain->parsed()) return run_explain_command(explain_args);
  if (svg->parsed()) return run_svg_command(svg_args);
  if (serve->parsed()) return reports::run_serve(serve_opts);
  if (repl->parsed()) return run_repl(repl_opts);
  return model::kExitUsage;
}
