// vckv-siblingsync: what a write to a key with many siblings costs in node-to-node bytes,
// against a write to a key with one version (delta syncs, docs/protocol.md §11).
//
// Three nodes, n1..n3 (every node holds every key), in one process on virtual time. A client
// gives each of --keys keys S concurrent versions at n1 (clocks with one slot each: [1],
// [0, 1], ...), and the network runs until it is quiet. Then the client writes each key
// --rounds more times at n1, each write replacing one of its siblings (its slot raised by one,
// so it dominates that sibling and stays concurrent with the others: the key keeps S
// siblings), one write a virtual ms, every message delivered at once; the network runs until
// it is quiet. Every node-to-node message of that second phase is counted by type. This runs
// twice in one invocation, with S = 1 and with S = --siblings, and prints the bytes per
// further write of each and their ratio.
//
//   vckv-siblingsync [--siblings 10] [--keys 100] [--rounds 10] [--value-bytes 16]
//                    [--delta-syncs on|off]
//
// Prints one JSON object. Deterministic: the same flags give the same bytes.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "vckv/node/node.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "virtual_cluster.hpp"

namespace {

using vckv::bench::ByType;
using vckv::bench::by_type_json;
using vckv::bench::total;

struct Options {
  std::size_t siblings = 10;
  std::size_t keys = 100;
  std::size_t rounds = 10;
  std::size_t value_bytes = 16;
  bool delta_syncs = true;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vckv-siblingsync: %s\nusage: vckv-siblingsync [--siblings N] [--keys N] [--rounds N] "
               "[--value-bytes N] [--delta-syncs on|off]\n",
               why);
  std::exit(2);
}

const std::vector<std::string> kIds = {"n1", "n2", "n3"};


// A clock with `width` slots, slot `i` set to `n`.
std::string clock_with(std::size_t width, std::size_t i, std::size_t n) {
  std::string c = "[";
  for (std::size_t s = 0; s < width; ++s) {
    c += (s ? ", " : "") + std::to_string(s == i ? n : 0);
  }
  return c + "]";
}

struct Result {
  ByType further;
  std::size_t writes = 0;
  std::size_t siblings_after = 0;  // summed over keys, at every node
  bool converged = false;
};

Result run(const Options& o, std::size_t siblings) {
  vckv::NodeOptions options;
  options.replication.delta_syncs = o.delta_syncs;
  vckv::bench::VirtualCluster nodes = vckv::bench::virtual_cluster(kIds, options);
  std::int64_t now = 0;
  std::uint64_t msg_id = 2;
  // Every line written so far, to its destination (replies to the client dropped).
  const auto deliver = [&](ByType& by_type) { return vckv::bench::deliver_all(nodes, by_type); };
  const auto tick = [&](ByType& by_type) {
    ++now;
    for (auto& [id, m] : nodes) m->clock.advance_to(now);
    return deliver(by_type);
  };
  const auto until_quiet = [&](ByType& by_type) {  // two anti-entropy intervals without a message
    std::int64_t quiet_since = now;
    while (now - quiet_since < 2500 && now < 3'600'000) {
      if (tick(by_type)) quiet_since = now;
    }
  };
  const auto put = [&](std::size_t key, std::size_t v, const std::string& clock) {
    std::string value = std::to_string(v);
    value.resize(o.value_bytes, 'x');
    nodes["n1"]->feed("{\"src\": \"c1\", \"dest\": \"n1\", \"body\": {\"type\": \"kv_put\", \"msg_id\": " +
                      std::to_string(msg_id++) + ", \"key\": " + std::to_string(key) +
                      ", \"value\": \"" + value + "\", \"clock\": " + clock + "}}");
  };

  ByType setup;
  for (std::size_t k = 0; k < o.keys; ++k) {
    for (std::size_t s = 0; s < siblings; ++s) put(k, s, clock_with(siblings, s, 1));
    tick(setup);
  }
  until_quiet(setup);

  Result r;
  std::size_t v = siblings;
  for (std::size_t round = 0; round < o.rounds; ++round) {
    for (std::size_t k = 0; k < o.keys; ++k) {
      const std::size_t slot = (round + k) % siblings;
      put(k, v++, clock_with(siblings, slot, round / siblings + 2));
      ++r.writes;
      tick(r.further);
    }
  }
  until_quiet(r.further);
  const auto root = [&](const std::string& id) { return nodes[id]->node->store().hash_tree()->root(); };
  r.converged = root("n1") == root("n2") && root("n1") == root("n3");
  for (auto& [id, m] : nodes) {
    m->node->store().for_each([&](std::string_view, vckv::Siblings s) { r.siblings_after += s.size(); });
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    const auto count = [&](std::size_t least) {
      const std::string text = value();
      char* end = nullptr;
      const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || n < least || n > 100000) {
        usage((a + " takes a whole number from " + std::to_string(least) + " to 100000, not " + text).c_str());
      }
      return static_cast<std::size_t>(n);
    };
    if (a == "--siblings") o.siblings = count(1);
    else if (a == "--keys") o.keys = count(1);
    else if (a == "--rounds") o.rounds = count(1);
    else if (a == "--value-bytes") o.value_bytes = count(1);
    else if (a == "--delta-syncs") {
      const std::string mode = value();
      if (mode != "on" && mode != "off") usage("--delta-syncs is on or off");
      o.delta_syncs = mode == "on";
    } else {
      usage(("unknown argument " + a).c_str());
    }
  }
  const Result one = run(o, 1);
  const Result many = run(o, o.siblings);
  const double per_one = static_cast<double>(total(one.further)) / static_cast<double>(one.writes);
  const double per_many = static_cast<double>(total(many.further)) / static_cast<double>(many.writes);
  std::printf(
      "{\"delta_syncs\": %s, \"nodes\": 3, \"keys\": %zu, \"rounds\": %zu, \"value_bytes\": %zu, "
      "\"siblings\": %zu, \"bytes_per_write_one_version\": %.1f, \"bytes_per_write_siblings\": %.1f, "
      "\"ratio\": %.3f, \"converged\": %s, \"siblings_held\": [%zu, %zu], "
      "\"one_version_by_type\": %s, \"siblings_by_type\": %s}\n",
      o.delta_syncs ? "true" : "false", o.keys, o.rounds, o.value_bytes, o.siblings, per_one, per_many,
      per_many / per_one, one.converged && many.converged ? "true" : "false", one.siblings_after,
      many.siblings_after, by_type_json(one.further).c_str(), by_type_json(many.further).c_str());
  return one.converged && many.converged ? 0 : 1;
}
