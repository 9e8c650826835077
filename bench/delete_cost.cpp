// vckv-deletecost: what a delete costs against a write, in node-to-node bytes and log bytes
// (docs/protocol.md §16), and how long reaping takes.
//
// Three nodes, n1..n3 (every node holds every key), in one process on virtual time, each with
// its own data directory under --dir (real files, --fsync never: the bytes are the same). A
// client writes --keys keys at n1 (one kv_put each, clock [1], --value-bytes values); the
// network runs until it is quiet; then the client deletes every key at n1 (kv_delete, clock
// [2]), and the network runs until every node has reaped every key. Every node-to-node message
// is counted by type, in each phase; the data directories are measured after each phase.
//
//   vckv-deletecost --dir D [--keys 10000] [--value-bytes 16] [--grace-ms 2000]
//
// Prints one JSON object. The byte counts are deterministic; so is the virtual time.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "vckv/node/node.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/storage/posix_file_system.hpp"
#include "virtual_cluster.hpp"

namespace {

using vckv::bench::ByType;
using vckv::bench::by_type_json;
using vckv::bench::total;

struct Options {
  std::string dir;
  std::size_t keys = 10000;
  std::size_t value_bytes = 16;
  std::int64_t grace_ms = 2000;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vckv-deletecost: %s\nusage: vckv-deletecost --dir D [--keys N] [--value-bytes N] [--grace-ms N]\n",
               why);
  std::exit(2);
}

const std::vector<std::string> kIds = {"n1", "n2", "n3"};


std::uint64_t dir_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
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
    if (a == "--dir") o.dir = value();
    else if (a == "--keys") o.keys = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--value-bytes") o.value_bytes = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--grace-ms") o.grace_ms = std::strtoll(value().c_str(), nullptr, 10);
    else usage(("unknown argument " + a).c_str());
  }
  if (o.dir.empty()) usage("--dir is required (it is emptied first)");
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);

  vckv::NodeOptions options;
  options.tombstone_grace_ms = o.grace_ms;
  options.durability.data_dir = o.dir;
  options.durability.store.fsync = vckv::FsyncPolicy::kNever;
  vckv::PosixFileSystem fs;
  vckv::bench::VirtualCluster nodes = vckv::bench::virtual_cluster(kIds, options, &fs);
  std::int64_t now = 0;
  std::size_t client_replies = 0;
  // Every line written so far, to its destination; replies to the client counted apart.
  const auto deliver = [&](ByType& by_type) { return vckv::bench::deliver_all(nodes, by_type, &client_replies); };
  const auto run_until = [&](ByType& by_type, const auto& done) {
    std::int64_t quiet_since = now;
    while (!done(now - quiet_since) && now < 3'600'000) {
      ++now;
      for (auto& [id, m] : nodes) m->clock.advance_to(now);
      if (deliver(by_type)) quiet_since = now;
    }
  };
  const auto value_of = [&](std::size_t k) {
    std::string digits = std::to_string(k);
    digits.resize(o.value_bytes, 'x');
    return "\"" + digits + "\"";
  };

  // Writes.
  ByType writes;
  const std::uint64_t dir0 = dir_bytes(o.dir);
  for (std::size_t k = 0; k < o.keys; ++k) {
    nodes["n1"]->feed("{\"src\": \"c1\", \"dest\": \"n1\", \"body\": {\"type\": \"kv_put\", \"msg_id\": " +
                      std::to_string(k + 2) + ", \"key\": " + std::to_string(k) + ", \"value\": " + value_of(k) +
                      ", \"clock\": [1]}}");
    deliver(writes);
  }
  run_until(writes, [](std::int64_t quiet) { return quiet >= 2500; });  // two anti-entropy intervals
  const std::uint64_t dir1 = dir_bytes(o.dir);

  // Deletes, then reaping.
  ByType deletes;
  const std::int64_t deleted_at = now;
  for (std::size_t k = 0; k < o.keys; ++k) {
    nodes["n1"]->feed("{\"src\": \"c1\", \"dest\": \"n1\", \"body\": {\"type\": \"kv_delete\", \"msg_id\": " +
                      std::to_string(o.keys + k + 2) + ", \"key\": " + std::to_string(k) + ", \"clock\": [2]}}");
    deliver(deletes);
  }
  std::int64_t emptied_at = -1;
  run_until(deletes, [&](std::int64_t quiet) {
    if (emptied_at < 0) {
      bool empty = true;
      for (auto& [id, m] : nodes) empty = empty && m->node->store().key_count() == 0;
      if (empty) emptied_at = now;
    }
    return emptied_at >= 0 && quiet >= 2500;
  });
  const std::uint64_t dir2 = dir_bytes(o.dir);
  std::size_t reaping = 0, replication = 0;
  for (const auto& [type, mb] : deletes) {
    (type.rfind("reap", 0) == 0 ? reaping : replication) += mb.second;
  }
  const double n = static_cast<double>(o.keys);
  std::printf(
      "{\"keys\": %zu, \"value_bytes\": %zu, \"grace_ms\": %lld, \"nodes\": 3, "
      "\"write_node_bytes\": %zu, \"delete_node_bytes\": %zu, \"delete_replication_bytes\": %zu, "
      "\"delete_reaping_bytes\": %zu, \"node_bytes_per_write\": %.1f, \"node_bytes_per_delete\": %.1f, "
      "\"of_which_reaping\": %.1f, \"log_bytes_per_write\": %.1f, \"log_bytes_per_delete\": %.1f, "
      "\"data_dirs_bytes\": [%llu, %llu, %llu], \"reaped_all_ms_after_last_delete\": %lld, "
      "\"writes_by_type\": %s, \"deletes_by_type\": %s, \"client_replies\": %zu}\n",
      o.keys, o.value_bytes, static_cast<long long>(o.grace_ms), total(writes), total(deletes), replication, reaping,
      static_cast<double>(total(writes)) / n, static_cast<double>(total(deletes)) / n,
      static_cast<double>(reaping) / n, static_cast<double>(dir1 - dir0) / n / 3,
      static_cast<double>(dir2 - dir1) / n / 3, static_cast<unsigned long long>(dir0),
      static_cast<unsigned long long>(dir1), static_cast<unsigned long long>(dir2),
      static_cast<long long>(emptied_at < 0 ? -1 : emptied_at - deleted_at), by_type_json(writes).c_str(),
      by_type_json(deletes).c_str(), client_replies);
  return emptied_at >= 0 ? 0 : 1;
}
