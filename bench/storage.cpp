// vckv-storage-bench: what the durable store (src/storage/) costs on a real disk.
//
//   vckv-storage-bench commit  --dir DIR [--batches 1,4,16,64,256,1024] [--seconds 3]
//                              [--fsync batch|interval|never] [--keys 100000]
//     Group commit: each "turn" records B client writes (a 16-byte value, a 4-slot clock) and
//     commits once, then takes a compaction step, as the node's before-sleep hook would. Per B:
//     writes/s, commits/s, the commit's wall time (p50/p99/max, write + fdatasync), bytes
//     written per accepted write (log and compaction), compactions, and the wall time of the
//     compaction steps (p99/max: what a step adds to its turn). --memory 1 runs it on the
//     simulated disk instead: what the layer costs in CPU, with no system calls.
//   vckv-storage-bench raw     --dir DIR [--batches ...] [--seconds 3]
//     The floor under commit: write(2) of B records' worth of bytes (41 each) and one
//     fdatasync(2) per turn, with nothing else.
//   vckv-storage-bench recover --dir DIR [--keys 1000000] [--rounds 2]
//     Writes KEYS keys ROUNDS times (batches of 1000, taking compaction steps as it goes),
//     finishes the compaction under way, and reports the files against the live data; then
//     reopens twice: once handing each key to a counting visitor (the layer alone) and once
//     filling a SiblingStore as the node will (the layer and the store), with the time of each.
//     --reuse 1 skips the writing and recovers what the last run left in DIR.
//
// DIR is emptied first (its bench-* subdirectories). Use a directory on the disk to measure:
// /tmp may be a RAM disk elsewhere (here it is the root ext4).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "vckv/storage/durable_store.hpp"
#include "vckv/storage/memory_file_system.hpp"
#include "vckv/storage/posix_file_system.hpp"
#include "vckv/store/sibling_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double d(std::uint64_t n) { return static_cast<double>(n); }
double d(long n) { return static_cast<double>(n); }

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long rss_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  }
  return -1;
}

struct Args {
  std::string command;
  std::string dir;
  std::vector<std::size_t> batches{1, 4, 16, 64, 256, 1024};
  double seconds = 3;
  vckv::FsyncPolicy fsync = vckv::FsyncPolicy::kBatch;
  std::uint64_t keys = 0;
  int rounds = 2;
  bool reuse = false;  // recover: use the files a previous run left (skip the writing)
  bool memory = false;  // commit: on the simulated disk (the layer's CPU cost, no system calls)
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "vckv-storage-bench: %s\nsee the comment at the top of bench/storage.cpp\n", why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  if (argc < 2) usage("no command");
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(("no value after " + flag).c_str());
    const std::string value = argv[++i];
    if (flag == "--dir") {
      a.dir = value;
    } else if (flag == "--batches") {
      a.batches.clear();
      for (std::size_t at = 0; at < value.size();) {
        std::size_t comma = value.find(',', at);
        if (comma == std::string::npos) comma = value.size();
        a.batches.push_back(std::stoul(value.substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (flag == "--seconds") {
      a.seconds = std::stod(value);
    } else if (flag == "--fsync") {
      auto policy = vckv::parse_fsync_policy(value);
      if (!policy) usage("--fsync: batch, interval or never");
      a.fsync = *policy;
    } else if (flag == "--keys") {
      a.keys = std::stoull(value);
    } else if (flag == "--rounds") {
      a.rounds = std::stoi(value);
    } else if (flag == "--reuse") {
      a.reuse = value == "1";
    } else if (flag == "--memory") {
      a.memory = value == "1";
    } else {
      usage(("unknown flag " + flag).c_str());
    }
  }
  if (a.dir.empty()) usage("--dir is required");
  return a;
}

void empty_dir(const std::string& dir) {
  const std::string command = "rm -rf '" + dir + "'";
  if (std::system(command.c_str()) != 0) usage("could not empty the directory");
}

// A client write as the node records it: key "k<n>" (as JSON text), a 16-byte value, 4 slots.
struct Writer {
  std::string key;
  std::uint64_t slots[4] = {3, 1, 4, 1};
  void record(vckv::DurableStore& store, std::uint64_t n, std::uint64_t round) {
    key = "\"k" + std::to_string(n) + "\"";
    slots[3] = round + 1;
    const vckv::VersionRef v = vckv::VersionRef::with_clock("\"0123456789abcd\"", slots);
    store.record_key(key, &v, 1);
  }
};

struct CountingVisitor : vckv::RecoveryVisitor {
  std::uint64_t keys = 0;
  std::uint64_t bytes = 0;
  void on_key(std::string_view key, const std::vector<vckv::VersionRef>& versions) override {
    ++keys;
    bytes += key.size();
    for (const vckv::VersionRef& v : versions) bytes += v.value.size() + v.clock.size();
  }
  void on_hint(std::string_view, std::string_view, const std::vector<vckv::VersionRef>&) override {}
  void on_dot_counter(std::string_view, std::uint64_t) override {}
};

// Fills a SiblingStore as the node's recovery will: each version merged into the empty store.
struct StoreVisitor : vckv::RecoveryVisitor {
  vckv::SiblingStore store;
  vckv::Version scratch;
  void on_key(std::string_view key, const std::vector<vckv::VersionRef>& versions) override {
    for (const vckv::VersionRef& v : versions) {
      store.apply(key, vckv::VersionView{v.value, v.clock}, vckv::Origin::kPeer, 0);
    }
  }
  void on_hint(std::string_view, std::string_view, const std::vector<vckv::VersionRef>&) override {}
  void on_dot_counter(std::string_view, std::uint64_t) override {}
};

int run_commit(const Args& a) {
  const std::uint64_t keys = a.keys ? a.keys : 100000;
  std::printf("fsync %s, %llu keys, %.1f s per batch size, %s\n", vckv::fsync_policy_name(a.fsync),
              static_cast<unsigned long long>(keys), a.seconds,
              a.memory ? "on the simulated disk" : ("dir " + a.dir).c_str());
  std::printf("%8s %12s %10s %9s %9s %9s %11s %12s %11s %14s\n", "batch", "writes/s",
              "commits/s", "p50 us", "p99 us", "max us", "log B/wr", "compact B/wr", "compactions",
              "step p99/max us");
  vckv::PosixFileSystem posix;
  for (std::size_t batch : a.batches) {
    const std::string dir = a.dir + "/bench-commit-" + std::to_string(batch);
    empty_dir(dir);
    vckv::MemoryFileSystem memory{vckv::SplitMix64(1)};
    vckv::FileSystem& fs = a.memory ? static_cast<vckv::FileSystem&>(memory) : posix;
    vckv::DurableStoreOptions options;
    options.fsync = a.fsync;
    CountingVisitor none;
    vckv::DurableStore::Opened opened = vckv::DurableStore::open(fs, dir, options, none);
    if (!opened.ok()) usage(opened.error.c_str());
    vckv::DurableStore& store = *opened.store;
    Writer writer;
    std::vector<double> commit_us;
    std::vector<double> step_us;  // compaction steps
    std::uint64_t writes = 0;
    const Clock::time_point start = Clock::now();
    while (seconds_since(start) < a.seconds) {
      for (std::size_t i = 0; i < batch; ++i, ++writes) writer.record(store, writes % keys, writes / keys);
      const Clock::time_point t = Clock::now();
      const vckv::CommitResult r =
          store.commit(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
      commit_us.push_back(seconds_since(t) * 1e6);
      if (!r.ok) usage(r.error.c_str());
      const Clock::time_point s0 = Clock::now();
      const vckv::CompactionProgress p = store.compact_step();
      if (p.running || p.finished) step_us.push_back(seconds_since(s0) * 1e6);
      if (!p.error.empty()) usage(p.error.c_str());
    }
    const double elapsed = seconds_since(start);
    std::sort(commit_us.begin(), commit_us.end());
    std::sort(step_us.begin(), step_us.end());
    const double step_p99 = step_us.empty() ? 0 : step_us[step_us.size() * 99 / 100];
    const double step_max = step_us.empty() ? 0 : step_us.back();
    const vckv::DurableStoreStats& s = store.stats();
    std::printf("%8zu %12.0f %10.0f %9.0f %9.0f %9.0f %11.1f %12.1f %11llu %7.0f/%-6.0f\n", batch, d(writes) / elapsed,
                d(commit_us.size()) / elapsed, commit_us[commit_us.size() / 2],
                commit_us[commit_us.size() * 99 / 100], commit_us.back(),
                static_cast<double>(s.bytes_logged) / static_cast<double>(writes),
                static_cast<double>(s.compaction_bytes_written) / static_cast<double>(writes),
                static_cast<unsigned long long>(s.compactions), step_p99, step_max);
    std::fflush(stdout);
    opened.store.reset();
    empty_dir(dir);
  }
  return 0;
}

int run_raw(const Args& a) {
  std::printf("write + fdatasync, 41 bytes per write, %.1f s per batch size, dir %s\n", a.seconds,
              a.dir.c_str());
  std::printf("%8s %12s %10s %9s %9s %9s\n", "batch", "writes/s", "syncs/s", "p50 us", "p99 us",
              "max us");
  vckv::PosixFileSystem fs;
  for (std::size_t batch : a.batches) {
    const std::string dir = a.dir + "/bench-raw-" + std::to_string(batch);
    empty_dir(dir);
    if (!fs.create_dirs(dir).ok()) usage("mkdir");
    auto file = fs.open_append(dir + "/file");
    if (!file.ok()) usage(file.error().c_str());
    const std::string bytes(41 * batch, 'x');
    std::vector<double> sync_us;
    const Clock::time_point start = Clock::now();
    while (seconds_since(start) < a.seconds) {
      const Clock::time_point t = Clock::now();
      if (!file.value()->append(bytes).ok() || !file.value()->sync().ok()) usage("write failed");
      sync_us.push_back(seconds_since(t) * 1e6);
    }
    const double elapsed = seconds_since(start);
    std::sort(sync_us.begin(), sync_us.end());
    std::printf("%8zu %12.0f %10.0f %9.0f %9.0f %9.0f\n", batch, d(sync_us.size() * batch) / elapsed,
                d(sync_us.size()) / elapsed, sync_us[sync_us.size() / 2],
                sync_us[sync_us.size() * 99 / 100], sync_us.back());
    std::fflush(stdout);
    empty_dir(dir);
  }
  return 0;
}

int run_recover(const Args& a) {
  const std::uint64_t keys = a.keys ? a.keys : 1000000;
  const std::string dir = a.dir + "/bench-recover";
  vckv::PosixFileSystem fs;
  vckv::DurableStoreOptions options;
  if (!a.reuse) {
    empty_dir(dir);
    CountingVisitor none;
    vckv::DurableStore::Opened opened = vckv::DurableStore::open(fs, dir, options, none);
    if (!opened.ok()) usage(opened.error.c_str());
    vckv::DurableStore& store = *opened.store;
    Writer writer;
    const Clock::time_point start = Clock::now();
    std::uint64_t writes = 0;
    for (int round = 0; round < a.rounds; ++round) {
      for (std::uint64_t k = 0; k < keys; ++k, ++writes) {
        writer.record(store, k, static_cast<std::uint64_t>(round));
        if (writes % 1000 == 999 || k + 1 == keys) {
          if (!store.commit(0).ok) usage(store.failure().c_str());
          store.compact_step();
        }
      }
    }
    const double write_seconds = seconds_since(start);
    const Clock::time_point finish = Clock::now();
    int steps = 0;
    while (store.compaction_running()) {
      store.compact_step();
      ++steps;
    }
    const vckv::DurableStoreStats& s = store.stats();
    std::printf("wrote %llu writes over %llu keys in %.2f s (%.0f writes/s, batches of 1000); "
                "%llu compactions, the last finished in %d more steps (%.2f s)\n",
                static_cast<unsigned long long>(writes), static_cast<unsigned long long>(keys),
                write_seconds, d(writes) / write_seconds, static_cast<unsigned long long>(s.compactions),
                steps, seconds_since(finish));
    std::printf("files %.1f MB, live records %.1f MB: %.3fx; index %.1f MB for %llu entries "
                "(%.1f B each); bytes logged per write %.1f, compaction bytes per write %.1f\n",
                d(s.disk_bytes) / 1e6, d(s.live_bytes) / 1e6,
                static_cast<double>(s.disk_bytes) / static_cast<double>(s.live_bytes),
                d(s.index_memory_bytes) / 1e6, static_cast<unsigned long long>(s.entries),
                static_cast<double>(s.index_memory_bytes) / static_cast<double>(s.entries),
                static_cast<double>(s.bytes_logged) / static_cast<double>(writes),
                static_cast<double>(s.compaction_bytes_written) / static_cast<double>(writes));
  }
  const std::string listing = "ls -l '" + dir + "' | tail -n +2";
  if (std::system(listing.c_str()) != 0) return 1;
  {
    CountingVisitor counting;
    const long rss_before = rss_kib("VmRSS:");
    const Clock::time_point start = Clock::now();
    vckv::DurableStore::Opened opened = vckv::DurableStore::open(fs, dir, options, counting);
    const double took = seconds_since(start);
    if (!opened.ok()) usage(opened.error.c_str());
    std::printf("recovery, layer only: %.3f s for %llu keys (%llu records, %.1f MB read twice); "
                "RSS +%.1f MB\n",
                took, static_cast<unsigned long long>(counting.keys),
                static_cast<unsigned long long>(opened.report.records), d(opened.report.bytes) / 1e6,
                d(rss_kib("VmRSS:") - rss_before) / 1024.0);
  }
  {
    StoreVisitor filling;
    const Clock::time_point start = Clock::now();
    vckv::DurableStore::Opened opened = vckv::DurableStore::open(fs, dir, options, filling);
    const double took = seconds_since(start);
    if (!opened.ok()) usage(opened.error.c_str());
    std::printf("recovery into a SiblingStore: %.3f s for %zu keys; peak RSS %.1f MB\n", took,
                filling.store.key_count(), d(rss_kib("VmHWM:")) / 1024.0);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  if (a.command == "commit") return run_commit(a);
  if (a.command == "raw") return run_raw(a);
  if (a.command == "recover") return run_recover(a);
  usage("the command is commit, raw or recover");
}
