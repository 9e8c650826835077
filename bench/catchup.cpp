// vckv-catchup: what anti-entropy costs to bring a replica up to date, measured in bytes.
//
// Two nodes, n1 and n2, in one process on virtual time, both holding the same --keys keys; then
// n1 is given --differ versions n2 lacks (new keys, or newer versions of existing ones), which
// replication never sends (they reach n1 as a peer's sync, which nobody passes on). Their
// anti-entropy exchanges find and send them. Every message between the two is counted by type
// until the network is quiet, and compared with the two yardsticks: the bytes of the differing
// versions themselves, and the bytes of sending n1's whole store as syncs.
//
//   vckv-catchup [--keys 100000] [--differ 100] [--value-bytes 16] [--mode new|newer]
//
// Prints one JSON object. Deterministic: the same flags give the same bytes.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <utility>
#include <string>
#include <vector>

#include "vckv/node/node.hpp"
#include "virtual_cluster.hpp"

namespace {

using vckv::bench::ByType;

struct Options {
  std::size_t keys = 100000;
  std::size_t differ = 100;
  std::size_t value_bytes = 16;
  std::string mode = "newer";  // the differing versions: "new" keys, or "newer" versions
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vckv-catchup: %s\nusage: vckv-catchup [--keys N] [--differ N] [--value-bytes N] "
               "[--mode new|newer]\n",
               why);
  std::exit(2);
}

std::string value_of(std::size_t i, std::size_t bytes) {
  std::string digits = std::to_string(i);
  digits.resize(bytes, 'x');
  std::string v(1, '"');
  v += digits;
  v += '"';
  return v;
}

// [K,V,C] as one entry of a sync's versions, as a node writes a plain version.
std::string entry(std::size_t key, const std::string& value, const std::string& clock) {
  return "[" + std::to_string(key) + "," + value + "," + clock + "]";
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
    if (a == "--keys") o.keys = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--differ") o.differ = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--value-bytes") o.value_bytes = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--mode") o.mode = value();
    else usage(("unknown argument " + a).c_str());
  }
  if (o.mode != "new" && o.mode != "newer") usage("--mode is new or newer");
  if (o.mode == "newer" && o.differ > o.keys) usage("--differ is at most --keys with --mode newer");

  vckv::bench::VirtualCluster nodes = vckv::bench::virtual_cluster({"n1", "n2"});
  // The same keys on both, as a peer's syncs (1000 versions a message).
  const std::string clock1 = "[1,0]";
  for (std::size_t first = 0; first < o.keys; first += 1000) {
    std::string versions;
    for (std::size_t k = first; k < std::min(o.keys, first + 1000); ++k) {
      versions += (versions.empty() ? "" : ",") + entry(k, value_of(k, o.value_bytes), clock1);
    }
    nodes["n1"]->feed("{\"src\": \"n2\", \"dest\": \"n1\", \"body\": {\"type\": \"sync\", \"incarnation\": 1, \"versions\": [" + versions + "]}}");
    nodes["n2"]->feed("{\"src\": \"n1\", \"dest\": \"n2\", \"body\": {\"type\": \"sync\", \"incarnation\": 1, \"versions\": [" + versions + "]}}");
  }
  // What only n1 holds: spread over the key space.
  std::string differing;
  std::size_t differing_bytes = 0;
  for (std::size_t i = 0; i < o.differ; ++i) {
    const std::size_t key = o.mode == "new" ? o.keys + i : i * (o.keys / std::max<std::size_t>(1, o.differ));
    const std::string e = entry(key, value_of(key + 7, o.value_bytes), "[1,1]");
    differing_bytes += e.size() + 1;
    differing += (differing.empty() ? "" : ",") + e;
  }
  nodes["n1"]->feed("{\"src\": \"n2\", \"dest\": \"n1\", \"body\": {\"type\": \"sync\", \"incarnation\": 1, \"versions\": [" + differing + "]}}");
  for (auto& [id, m] : nodes) {
    // (Replies to the feeding: init_ok, and sync_ok to the peer named as sender.)
    const auto refused = m->out.find("\"type\": \"error\"");
    if (refused != std::string::npos) {
      const auto line = m->out.rfind('\n', refused) + 1;
      std::fprintf(stderr, "vckv-catchup: %s refused the versions it was fed: %s\n", id.c_str(),
                   m->out.substr(line, m->out.find('\n', refused) - line).c_str());
      return 1;
    }
    m->out.clear();
  }

  // The whole store as syncs' versions, for comparison: what sending everything would cost
  // ([K,V,[C]] and a separator each).
  std::size_t whole_store_bytes = 0;
  nodes["n1"]->node->store().for_each([&](std::string_view key, vckv::Siblings siblings) {
    for (vckv::VersionView v : siblings) {
      whole_store_bytes += 6 + key.size() + v.value.size() + (v.slots.size() ? v.slots.size() - 1 : 0);
      for (std::size_t i = 0; i < v.slots.size(); ++i) whole_store_bytes += std::to_string(v.slots[i]).size();
    }
  });

  // Run the two until nothing has been sent for two anti-entropy intervals.
  ByType by_type;
  std::int64_t now = 0, last_sent = 0;
  while (now - last_sent < 2500 && now < 600000) {
    now += 1;
    for (auto& [id, m] : nodes) m->clock.advance_to(now);
    if (vckv::bench::deliver_all(nodes, by_type)) last_sent = now;
  }
  const auto& s1 = nodes["n1"]->node->store();
  const auto& s2 = nodes["n2"]->node->store();
  const bool converged = s1.hash_tree()->root() == s2.hash_tree()->root();
  std::size_t walk = 0, syncs = 0;
  for (const auto& [type, mb] : by_type) {
    if (type == "tree" || type == "tree_keys") walk += mb.second;
    if (type == "sync" || type == "sync_ok") syncs += mb.second;
  }
  const std::size_t total = vckv::bench::total(by_type);
  const std::string types = vckv::bench::by_type_json(by_type);
  std::printf(
      "{\"keys\": %zu, \"differ\": %zu, \"mode\": \"%s\", \"converged\": %s, \"virtual_ms\": %lld, "
      "\"differing_version_bytes\": %zu, \"tree_walk_bytes\": %zu, \"sync_bytes\": %zu, "
      "\"total_bytes\": %zu, \"whole_store_bytes\": %zu, \"sync_over_differing\": %.2f, "
      "\"total_over_whole_store\": %.4f, \"by_type\": %s}\n",
      o.keys, o.differ, o.mode.c_str(), converged ? "true" : "false",
      static_cast<long long>(last_sent), differing_bytes, walk, syncs, total, whole_store_bytes,
      static_cast<double>(syncs) / static_cast<double>(differing_bytes),
      static_cast<double>(total) / static_cast<double>(whole_store_bytes), types.c_str());
  return converged ? 0 : 1;
}
