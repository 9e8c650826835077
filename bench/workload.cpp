// vckv-workload: a deterministic NDJSON request stream for benchmarking vclock-kv.
//
// Line 1 is an init for n1 in the cluster [n1]; then --ops requests drawn from --mix over --keys
// keys. The generator simulates the node's sibling store (docs/protocol.md §7) so the clocks it sends are
// realistic: most puts descend everything stored (written), some start from an older sibling
// (conflict), some replay a stored clock with a new value (stale), and resolves join every
// sibling's clock (resolved). The expected status counts go to stderr with --stats, so a run can
// be checked against them.
//
// Output is byte-identical for the same flags on any platform (own PRNG, no std distributions).
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

// splitmix64: tiny, well distributed, reproducible everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0); the modulo bias is irrelevant at these sizes.
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

struct Options {
  std::uint64_t ops = 1000000;
  std::uint64_t keys = 10000;
  unsigned get = 30, resolve = 10, put = 60;
  std::size_t clock_width = 4;
  std::size_t value_bytes = 16;
  std::uint64_t seed = 1;
  bool distinct_keys = false;
  bool stats = false;
  std::size_t clients = 8;
  // Of the puts to an existing key: per-mille that start from an older sibling (conflict) and
  // that replay a stored clock (stale); the rest descend every sibling (written).
  unsigned conflict_permille = 150;
  unsigned stale_permille = 100;
  std::size_t max_siblings = 8;  // beyond this a put always descends everything
  // > 0: the puts' versions are sent as node n2's sync messages to n1, this many per message
  // (the same versions, for comparing how fast the node takes them in each way).
  std::size_t as_sync = 0;
};

using Clock = std::vector<std::uint64_t>;

struct Sib {
  Clock clock;
  std::uint64_t value_id;  // which value string was written (values are derived from it)
};

bool descends(const Clock& a, const Clock& b) {
  for (std::size_t i = 0; i < b.size(); ++i) {
    if ((i < a.size() ? a[i] : 0) < b[i]) return false;
  }
  return true;
}
bool equals(const Clock& a, const Clock& b) { return descends(a, b) && descends(b, a); }
bool dominates(const Clock& a, const Clock& b) { return descends(a, b) && !equals(a, b); }

Clock join_all(const std::vector<Sib>& sibs, std::size_t width) {
  Clock c(width, 0);
  for (const Sib& s : sibs) {
    for (std::size_t i = 0; i < s.clock.size() && i < width; ++i) c[i] = std::max(c[i], s.clock[i]);
  }
  return c;
}

struct KeyState {
  std::vector<Sib> sibs;
  std::vector<Clock> history;  // the last few clocks written to the key, oldest first
};
constexpr std::size_t kHistory = 4;

struct Stats {
  std::uint64_t init = 0, get = 0, put = 0, resolve = 0;
  std::uint64_t written = 0, conflict = 0, stale = 0, resolved = 0;
};

// docs/protocol.md §7 on the simulated store; returns the status word the node should send.
const char* apply(std::vector<Sib>& sibs, const Sib& w, bool resolve, Stats& st) {
  bool duplicate = false;
  for (const Sib& s : sibs) {
    if (equals(s.clock, w.clock) && s.value_id == w.value_id) duplicate = true;
  }
  if (!duplicate) {
    for (const Sib& s : sibs) {
      if (descends(s.clock, w.clock)) {
        ++st.stale;
        return "stale";
      }
    }
    std::erase_if(sibs, [&](const Sib& s) { return dominates(w.clock, s.clock); });
    sibs.push_back(w);
  }
  if (sibs.size() == 1) {
    if (resolve) {
      ++st.resolved;
      return "resolved";
    }
    ++st.written;
    return "written";
  }
  ++st.conflict;
  return "conflict";
}

class Writer {
 public:
  Writer() { buf_.reserve(1 << 20); }
  ~Writer() { flush(); }
  std::string& buf() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= (1u << 20) - 512) flush();
  }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size()) {
      std::perror("vckv-workload: write");
      std::exit(1);
    }
    buf_.clear();
  }

 private:
  std::string buf_;
};

void append_u64(std::string& out, std::uint64_t n) {
  char tmp[24];
  int len = std::snprintf(tmp, sizeof tmp, "%llu", static_cast<unsigned long long>(n));
  out.append(tmp, static_cast<std::size_t>(len));
}

void append_key(std::string& out, std::uint64_t k, std::size_t digits) {
  char tmp[32];
  int len = std::snprintf(tmp, sizeof tmp, "\"k%0*llu\"", static_cast<int>(digits),
                          static_cast<unsigned long long>(k));
  out.append(tmp, static_cast<std::size_t>(len));
}

// A printable value of exactly value_bytes characters, derived from its id.
void append_value(std::string& out, std::uint64_t value_id, std::size_t bytes) {
  static const char kAlpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  Rng r(value_id * 0x2545F4914F6CDD1Dull + 7);
  out += '"';
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i % 10 == 0) bits = r.next();
    out += kAlpha[bits % 62];
    bits /= 62;
  }
  out += '"';
}

void append_clock(std::string& out, const Clock& c) {
  out += '[';
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i) out += ',';
    append_u64(out, c[i]);
  }
  out += ']';
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vckv-workload: %s\n"
               "usage: vckv-workload [--ops N] [--keys N] [--mix get=30,resolve=10,put=60]\n"
               "         [--clock-width N] [--value-bytes N] [--seed N] [--clients N]\n"
               "         [--distinct-keys] [--stats] [--as-sync N] > workload.ndjson\n"
               "  --distinct-keys  every put goes to a new key (gets/resolves hit written keys)\n"
               "  --stats          print the expected reply status counts to stderr (JSON)\n"
               "  --as-sync N      (puts only) the same versions as peer n2's sync messages to\n"
               "                   n1, N versions a message, in a cluster [n1, n2]\n",
               why);
  std::exit(2);
}

std::uint64_t parse_u64(const char* s, const char* flag) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno || end == s || *end) usage((std::string("bad number for ") + flag).c_str());
  return v;
}

void parse_mix(std::string_view mix, Options& o) {
  o.get = o.resolve = o.put = 0;
  while (!mix.empty()) {
    std::size_t comma = mix.find(',');
    std::string_view item = mix.substr(0, comma);
    mix = comma == std::string_view::npos ? std::string_view{} : mix.substr(comma + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) usage("--mix items are name=weight");
    std::string name(item.substr(0, eq));
    unsigned w = static_cast<unsigned>(parse_u64(std::string(item.substr(eq + 1)).c_str(), "--mix"));
    if (name == "get") o.get = w;
    else if (name == "resolve") o.resolve = w;
    else if (name == "put") o.put = w;
    else usage("--mix names are get, resolve, put");
  }
  if (o.get + o.resolve + o.put == 0) usage("--mix weights sum to 0");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) usage((std::string(flag) + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--ops") o.ops = parse_u64(value("--ops"), "--ops");
    else if (a == "--keys") o.keys = parse_u64(value("--keys"), "--keys");
    else if (a == "--mix") parse_mix(value("--mix"), o);
    else if (a == "--clock-width") o.clock_width = parse_u64(value("--clock-width"), "--clock-width");
    else if (a == "--value-bytes") o.value_bytes = parse_u64(value("--value-bytes"), "--value-bytes");
    else if (a == "--seed") o.seed = parse_u64(value("--seed"), "--seed");
    else if (a == "--clients") o.clients = parse_u64(value("--clients"), "--clients");
    else if (a == "--distinct-keys") o.distinct_keys = true;
    else if (a == "--stats") o.stats = true;
    else if (a == "--as-sync") o.as_sync = parse_u64(value("--as-sync"), "--as-sync");
    else if (a == "-h" || a == "--help") usage("help");
    else usage((std::string("unknown argument ") + std::string(a)).c_str());
  }
  if (o.clock_width == 0) usage("--clock-width must be >= 1");
  if (o.clients == 0) usage("--clients must be >= 1");
  if (o.as_sync > 0 && (o.get != 0 || o.resolve != 0)) usage("--as-sync takes --mix put=100");
  if (!o.distinct_keys && o.keys == 0) usage("--keys must be >= 1");

  Rng rng(o.seed);
  Stats st;
  Writer w;
  std::string& out = w.buf();
  out += R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":)";
  out += o.as_sync ? R"(["n1","n2"]}})" "\n" : R"(["n1"]}})" "\n";
  ++st.init;

  const std::uint64_t key_space = o.distinct_keys ? o.ops : o.keys;
  std::size_t digits = 1;
  for (std::uint64_t n = key_space > 0 ? key_space - 1 : 0; n >= 10; n /= 10) ++digits;
  if (digits < 5) digits = 5;

  std::unordered_map<std::uint64_t, KeyState> store;
  store.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(key_space, 1u << 22)));
  std::uint64_t next_distinct = 0;  // --distinct-keys: keys written so far
  std::uint64_t value_counter = 0;
  const unsigned total = o.get + o.resolve + o.put;

  for (std::uint64_t op = 0; op < o.ops; ++op) {
    const std::uint64_t msg_id = op + 2;
    const std::uint64_t client = rng.below(o.clients);
    const std::size_t slot = static_cast<std::size_t>(client % o.clock_width);
    const std::uint64_t pick = rng.below(total);
    enum { kGet, kResolve, kPut } kind = pick < o.get ? kGet : pick < o.get + o.resolve ? kResolve : kPut;

    std::uint64_t key;
    if (o.distinct_keys) {
      if (kind == kPut || next_distinct == 0) {
        kind = kPut;
        key = next_distinct++;
      } else {
        key = rng.below(next_distinct);
      }
    } else {
      key = rng.below(o.keys);
    }

    if (o.as_sync == 0) {
      out += R"({"src":"c)";
      append_u64(out, client + 1);
      out += R"(","dest":"n1","body":{"type":")";
      out += kind == kGet ? "kv_get" : kind == kPut ? "kv_put" : "kv_resolve";
      out += R"(","msg_id":)";
      append_u64(out, msg_id);
      out += R"(,"key":)";
    } else {
      // One sync per as_sync versions: [K,V,C] entries, as a node writes plain versions.
      if (op % o.as_sync == 0) {
        // (The incarnation names the sending process, docs/protocol.md 11: any fixed number.)
        out += R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":1,"msg_id":)";
        append_u64(out, msg_id);
        out += R"(,"versions":[[)";
      } else {
        out += ",[";
      }
    }
    append_key(out, key, digits);

    if (kind == kGet) {
      ++st.get;
    } else {
      KeyState& ks = store[key];
      std::vector<Sib>& sibs = ks.sibs;
      Sib write{join_all(sibs, o.clock_width), ++value_counter};
      const std::uint64_t own = write.clock[slot] + 1;  // a writer knows its own counter
      if (kind == kResolve) {
        ++st.resolve;
        write.clock[slot] = own;  // descends every sibling: resolved
      } else {
        ++st.put;
        const std::uint64_t r = rng.below(1000);
        const bool room = sibs.size() < o.max_siblings;
        if (!sibs.empty() && room && r < o.stale_permille) {
          // A retry-like write that replays a stored clock with a new value: stale.
          write.clock = sibs[rng.below(sibs.size())].clock;
        } else if (!ks.history.empty() && room &&
                   r < o.stale_permille + o.conflict_permille) {
          // A client that read an older version writes on top of it: concurrent with whatever
          // was written since by other slots (conflict), or written if nothing was.
          write.clock = ks.history[rng.below(ks.history.size())];
          write.clock[slot] = own;
        } else {
          // Read-modify-write: descends every sibling (written).
          write.clock[slot] = own;
        }
      }
      if (ks.history.size() == kHistory) ks.history.erase(ks.history.begin());
      ks.history.push_back(write.clock);
      out += o.as_sync ? "," : R"(,"value":)";
      append_value(out, write.value_id, o.value_bytes);
      out += o.as_sync ? "," : R"(,"clock":)";
      append_clock(out, write.clock);
      apply(sibs, write, kind == kResolve, st);
    }
    if (o.as_sync == 0) {
      out += "}}\n";
    } else {
      out += ']';
      if (op % o.as_sync == o.as_sync - 1 || op + 1 == o.ops) out += "]}}\n";
    }
    w.maybe_flush();
  }
  w.flush();
  if (std::fflush(stdout) != 0) {
    std::perror("vckv-workload: flush");
    return 1;
  }
  if (o.stats) {
    std::fprintf(stderr,
                 "{\"requests\": %llu, \"init\": %llu, \"kv_get\": %llu, \"kv_put\": %llu, "
                 "\"kv_resolve\": %llu, \"written\": %llu, \"conflict\": %llu, \"stale\": %llu, "
                 "\"resolved\": %llu, \"keys\": %llu}\n",
                 static_cast<unsigned long long>(o.ops + 1), static_cast<unsigned long long>(st.init),
                 static_cast<unsigned long long>(st.get), static_cast<unsigned long long>(st.put),
                 static_cast<unsigned long long>(st.resolve),
                 static_cast<unsigned long long>(st.written),
                 static_cast<unsigned long long>(st.conflict),
                 static_cast<unsigned long long>(st.stale),
                 static_cast<unsigned long long>(st.resolved),
                 static_cast<unsigned long long>(store.size()));
  }
  return 0;
}
