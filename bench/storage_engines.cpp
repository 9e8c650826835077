// vckv-storage-engines: the same measurements as vckv-storage-bench, on a Debian-packaged
// embedded engine instead of our log, to decide whether one would serve the node better.
// Bench only: the node never links an engine (the single-file build needs no library).
//
//   vckv-storage-engines leveldb|lmdb commit  --dir DIR [--batches 1,4,...] [--seconds 3]
//   vckv-storage-engines leveldb|lmdb recover --dir DIR [--keys 1000000] [--rounds 2]
//
// commit: each turn writes B keys (the value is the bytes our log stores for a 16-byte value
// with a 4-slot clock) in one synced batch (LevelDB: WriteBatch with sync; LMDB: one write
// transaction, whose commit fsyncs). recover: writes KEYS keys ROUNDS times in synced batches
// of 1000, closes, and times opening the store and reading every key back into memory (what the
// node would do at start, since it serves from memory), with the size of the files.
// Built only when the packages are installed (apt install libleveldb-dev liblmdb-dev).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#ifdef VCKV_BENCH_LEVELDB
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#endif
#ifdef VCKV_BENCH_LMDB
#include <lmdb.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
double d(std::uint64_t n) { return static_cast<double>(n); }

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "vckv-storage-engines: %s\n", why.c_str());
  std::exit(1);
}

// The payload our log writes for such a key: versions count, kind, flags, 4 slots, the value.
const std::string kValue = std::string("\x01\x01\x00\x04\x03\x01\x04\x01\x10", 9) + "\"0123456789abcd\"";

std::string key_of(std::uint64_t n) { return "\"k" + std::to_string(n) + "\""; }

std::uint64_t du_bytes(const std::string& dir) {
  const std::string command = "du -sb '" + dir + "'";
  FILE* p = popen(command.c_str(), "r");
  unsigned long long bytes = 0;
  if (!p || std::fscanf(p, "%llu", &bytes) != 1) fail("du failed");
  pclose(p);
  return bytes;
}

// One engine behind the three things the bench does.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void open(const std::string& dir) = 0;
  virtual void close() = 0;
  // Writes keys [first, first + count) with one sync.
  virtual void write_batch(std::uint64_t first, std::uint64_t count, std::uint64_t keys) = 0;
  // Reads every key and value; returns how many.
  virtual std::uint64_t read_all(std::vector<std::pair<std::string, std::string>>& into) = 0;
};

#ifdef VCKV_BENCH_LEVELDB
class LevelDb : public Engine {
 public:
  void open(const std::string& dir) override {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, dir, &db);
    if (!s.ok()) fail(s.ToString());
    db_.reset(db);
  }
  void close() override { db_.reset(); }
  void write_batch(std::uint64_t first, std::uint64_t count, std::uint64_t keys) override {
    leveldb::WriteBatch batch;
    for (std::uint64_t i = 0; i < count; ++i) batch.Put(key_of((first + i) % keys), kValue);
    leveldb::WriteOptions sync;
    sync.sync = true;
    leveldb::Status s = db_->Write(sync, &batch);
    if (!s.ok()) fail(s.ToString());
  }
  std::uint64_t read_all(std::vector<std::pair<std::string, std::string>>& into) override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      into.emplace_back(it->key().ToString(), it->value().ToString());
    }
    return into.size();
  }

 private:
  std::unique_ptr<leveldb::DB> db_;
};
#endif

#ifdef VCKV_BENCH_LMDB
class Lmdb : public Engine {
 public:
  void open(const std::string& dir) override {
    if (std::system(("mkdir -p '" + dir + "'").c_str()) != 0) fail("mkdir");
    check(mdb_env_create(&env_), "env_create");
    check(mdb_env_set_mapsize(env_, std::size_t{8} << 30), "set_mapsize");
    check(mdb_env_open(env_, dir.c_str(), 0, 0644), "env_open");
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin");
    check(mdb_dbi_open(txn, nullptr, 0, &dbi_), "dbi_open");
    check(mdb_txn_commit(txn), "txn_commit");
  }
  void close() override {
    if (env_) mdb_env_close(env_);
    env_ = nullptr;
  }
  void write_batch(std::uint64_t first, std::uint64_t count, std::uint64_t keys) override {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin");
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string key = key_of((first + i) % keys);
      MDB_val k{key.size(), key.data()};
      MDB_val v{kValue.size(), const_cast<char*>(kValue.data())};
      check(mdb_put(txn, dbi_, &k, &v, 0), "put");
    }
    check(mdb_txn_commit(txn), "txn_commit");  // fsyncs (no MDB_NOSYNC)
  }
  std::uint64_t read_all(std::vector<std::pair<std::string, std::string>>& into) override {
    MDB_txn* txn = nullptr;
    MDB_cursor* cursor = nullptr;
    check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "txn_begin");
    check(mdb_cursor_open(txn, dbi_, &cursor), "cursor_open");
    MDB_val k;
    MDB_val v;
    while (mdb_cursor_get(cursor, &k, &v, MDB_NEXT) == 0) {
      into.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size),
                        std::string(static_cast<char*>(v.mv_data), v.mv_size));
    }
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    return into.size();
  }

 private:
  static void check(int rc, const char* what) {
    if (rc != 0) fail(std::string(what) + ": " + mdb_strerror(rc));
  }
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
};
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) fail("usage: vckv-storage-engines leveldb|lmdb commit|recover --dir DIR ...");
  const std::string engine_name = argv[1];
  const std::string command = argv[2];
  std::string dir;
  std::vector<std::uint64_t> batches{1, 4, 16, 64, 256, 1024};
  double seconds = 3;
  std::uint64_t keys = 0;
  int rounds = 2;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--dir") {
      dir = value;
    } else if (flag == "--seconds") {
      seconds = std::stod(value);
    } else if (flag == "--keys") {
      keys = std::stoull(value);
    } else if (flag == "--rounds") {
      rounds = std::stoi(value);
    } else if (flag == "--batches") {
      batches.clear();
      for (std::size_t at = 0; at < value.size();) {
        std::size_t comma = value.find(',', at);
        if (comma == std::string::npos) comma = value.size();
        batches.push_back(std::stoull(value.substr(at, comma - at)));
        at = comma + 1;
      }
    } else {
      fail("unknown flag " + flag);
    }
  }
  if (dir.empty()) fail("--dir is required");
  std::unique_ptr<Engine> engine;
#ifdef VCKV_BENCH_LEVELDB
  if (engine_name == "leveldb") engine = std::make_unique<LevelDb>();
#endif
#ifdef VCKV_BENCH_LMDB
  if (engine_name == "lmdb") engine = std::make_unique<Lmdb>();
#endif
  if (!engine) fail("engine " + engine_name + " is not built in (leveldb, lmdb)");

  if (command == "commit") {
    if (keys == 0) keys = 100000;
    std::printf("%s, synced batches, %.1f s per batch size, dir %s\n", engine_name.c_str(), seconds,
                dir.c_str());
    std::printf("%8s %12s %10s %9s %9s %9s %12s\n", "batch", "writes/s", "commits/s", "p50 us",
                "p99 us", "max us", "disk B/wr");
    for (std::uint64_t batch : batches) {
      const std::string sub = dir + "/engine-" + engine_name + "-" + std::to_string(batch);
      if (std::system(("rm -rf '" + sub + "'").c_str()) != 0) fail("rm");
      engine->open(sub);
      std::vector<double> us;
      std::uint64_t writes = 0;
      const Clock::time_point start = Clock::now();
      while (seconds_since(start) < seconds) {
        const Clock::time_point t = Clock::now();
        engine->write_batch(writes, batch, keys);
        us.push_back(seconds_since(t) * 1e6);
        writes += batch;
      }
      const double elapsed = seconds_since(start);
      engine->close();
      std::sort(us.begin(), us.end());
      std::printf("%8llu %12.0f %10.0f %9.0f %9.0f %9.0f %12.1f\n",
                  static_cast<unsigned long long>(batch), d(writes) / elapsed,
                  d(us.size()) / elapsed, us[us.size() / 2], us[us.size() * 99 / 100], us.back(),
                  d(du_bytes(sub)) / d(writes));
      std::fflush(stdout);
      if (std::system(("rm -rf '" + sub + "'").c_str()) != 0) fail("rm");
    }
    return 0;
  }
  if (command == "recover") {
    if (keys == 0) keys = 1000000;
    const std::string sub = dir + "/engine-" + engine_name + "-recover";
    if (std::system(("rm -rf '" + sub + "'").c_str()) != 0) fail("rm");
    engine->open(sub);
    const Clock::time_point start = Clock::now();
    for (int round = 0; round < rounds; ++round) {
      for (std::uint64_t first = 0; first < keys; first += 1000) {
        engine->write_batch(first, std::min<std::uint64_t>(1000, keys - first), keys);
      }
    }
    const double wrote = seconds_since(start);
    engine->close();
    const std::uint64_t bytes = du_bytes(sub);
    const std::uint64_t live = keys * (kValue.size() + key_of(keys / 2).size());
    std::printf("%s: wrote %llu keys x %d in %.2f s (%.0f writes/s); files %.1f MB, keys and values "
                "%.1f MB: %.2fx\n",
                engine_name.c_str(), static_cast<unsigned long long>(keys), rounds, wrote,
                d(keys * static_cast<std::uint64_t>(rounds)) / wrote, d(bytes) / 1e6, d(live) / 1e6,
                d(bytes) / d(live));
    std::vector<std::pair<std::string, std::string>> all;
    all.reserve(keys);
    const Clock::time_point t = Clock::now();
    engine->open(sub);
    const std::uint64_t n = engine->read_all(all);
    const double took = seconds_since(t);
    engine->close();
    std::printf("%s: open and read every key back: %.3f s for %llu keys\n", engine_name.c_str(), took,
                static_cast<unsigned long long>(n));
    return 0;
  }
  fail("the command is commit or recover");
}
