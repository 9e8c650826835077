// vckv-latency: interactive latency of a node over pipes. Spawns CMD with its stdin and stdout
// on pipes, sends an init, then sends requests strictly one at a time, waiting (poll) for each
// reply line before sending the next, and reports request->reply latency quantiles in µs as one
// JSON line on stdout (a readable summary goes to stderr).
//
//   vckv-latency [--requests N] [--warmup N] [--keys N] [--input FILE] [--timeout-ms N] [--spin]
//                -- CMD...
//
// Requests come from --input (a vckv-workload file; init lines are skipped, the rest cycled) or,
// by default, from a built-in mix over --keys keys: 60% kv_put with a per-key increasing 4-slot
// clock, 30% kv_get, 10% kv_resolve.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "vckv-latency: %s\n", why.c_str());
  std::exit(1);
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vckv-latency: %s\n"
               "usage: vckv-latency [--requests N] [--warmup N] [--keys N] [--input FILE]\n"
               "                    [--timeout-ms N] [--spin] -- CMD [ARGS...]\n"
               "  --spin  busy-read replies instead of poll() (takes a core; removes the\n"
               "          client's own wake-up from the numbers)\n",
               why);
  std::exit(2);
}

struct Child {
  pid_t pid = -1;
  int to = -1;    // its stdin
  int from = -1;  // its stdout
};

Child spawn(char** cmd) {
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) die("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    execvp(cmd[0], cmd);
    std::fprintf(stderr, "vckv-latency: exec %s: %s\n", cmd[0], std::strerror(errno));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  return Child{pid, in_pipe[1], out_pipe[0]};
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      die(std::string("write to the node failed: ") + std::strerror(errno));
    }
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads until a whole line is available; returns it (without '\n').
class LineReader {
 public:
  LineReader(int fd, int timeout_ms, bool spin) : fd_(fd), timeout_ms_(timeout_ms), spin_(spin) {
    if (spin_) fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  std::string next() {
    for (;;) {
      const std::size_t nl = buf_.find('\n', scan_);
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        scan_ = 0;
        return line;
      }
      scan_ = buf_.size();
      char tmp[65536];
      if (spin_) {  // busy-read: the client's own wake-up is not part of the measurement
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
        ssize_t n;
        while ((n = read(fd_, tmp, sizeof tmp)) < 0 && (errno == EAGAIN || errno == EINTR)) {
          if (std::chrono::steady_clock::now() > deadline) die("no reply within --timeout-ms");
        }
        if (n < 0) die("read from the node failed");
        if (n == 0) die("the node closed its stdout");
        buf_.append(tmp, static_cast<std::size_t>(n));
        continue;
      }
      pollfd p{fd_, POLLIN, 0};
      const int r = poll(&p, 1, timeout_ms_);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) die("no reply within --timeout-ms");
      if (r < 0) die("poll failed");
      const ssize_t n = read(fd_, tmp, sizeof tmp);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) die("read from the node failed");
      if (n == 0) die("the node closed its stdout");
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  int timeout_ms_;
  bool spin_;
  std::string buf_;
  std::size_t scan_ = 0;
};

class Builtin {
 public:
  explicit Builtin(std::uint64_t keys) : clocks_(keys, 0) {}
  std::string next(std::uint64_t msg_id) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint64_t r = state_ >> 33;
    const std::size_t key = static_cast<std::size_t>((r >> 8) % clocks_.size());
    const unsigned pick = static_cast<unsigned>(r % 100);
    const char* type = pick < 30 ? "kv_get" : pick < 40 ? "kv_resolve" : "kv_put";
    std::string s = R"({"src": "c1", "dest": "n1", "body": {"type": ")";
    s += type;
    s += R"(", "msg_id": )" + std::to_string(msg_id) + R"(, "key": "k)" + std::to_string(key) +
         "\"";
    if (pick >= 30) {
      const std::uint64_t c = ++clocks_[key];
      s += R"(, "value": "v)" + std::to_string(msg_id) + R"(-abcdefghij", "clock": [)" +
           std::to_string(c) + ", " + std::to_string(c / 2) + ", 0, 1]";
    }
    s += "}}\n";
    return s;
  }

 private:
  std::vector<std::uint64_t> clocks_;
  std::uint64_t state_ = 42;
};

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  // nearest-rank
  std::size_t rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t requests = 20000, warmup = 1000, keys = 1000;
  int timeout_ms = 10000;
  const char* input = nullptr;
  bool spin = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage("an option needs a value");
      return argv[++i];
    };
    if (a == "--requests") requests = std::strtoull(value(), nullptr, 10);
    else if (a == "--warmup") warmup = std::strtoull(value(), nullptr, 10);
    else if (a == "--keys") keys = std::max<std::uint64_t>(1, std::strtoull(value(), nullptr, 10));
    else if (a == "--input") input = value();
    else if (a == "--timeout-ms") timeout_ms = std::atoi(value());
    else if (a == "--spin") spin = true;
    else usage("unknown option");
  }
  if (i >= argc) usage("no command after --");
  if (requests == 0) usage("--requests must be >= 1");

  std::vector<std::string> lines;
  if (input) {
    std::ifstream f(input);
    if (!f) die(std::string("cannot open ") + input);
    std::string line;
    while (std::getline(f, line) && lines.size() < requests + warmup) {
      if (line.empty() || line.find("\"init\"") != std::string::npos) continue;
      lines.push_back(line + "\n");
    }
    if (lines.empty()) die("no requests in --input");
  }
  Builtin builtin(keys);

  signal(SIGPIPE, SIG_IGN);
  Child child = spawn(argv + i);
  LineReader reader(child.from, timeout_ms, spin);

  write_all(child.to,
            R"({"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}})"
            "\n");
  const std::string init_reply = reader.next();
  if (init_reply.find("init_ok") == std::string::npos) {
    std::fprintf(stderr, "vckv-latency: warning: init answered with %s\n", init_reply.c_str());
  }

  std::vector<double> us;
  us.reserve(requests);
  std::uint64_t errors = 0;
  std::string sample_error;
  const auto t_start = std::chrono::steady_clock::now();
  for (std::uint64_t k = 0; k < warmup + requests; ++k) {
    const std::string req = input ? lines[k % lines.size()] : builtin.next(k + 2);
    const auto t0 = std::chrono::steady_clock::now();
    write_all(child.to, req);
    const std::string reply = reader.next();
    const auto t1 = std::chrono::steady_clock::now();
    if (reply.find("\"type\": \"error\"") != std::string::npos ||
        reply.find("\"type\":\"error\"") != std::string::npos) {
      if (!errors) sample_error = reply;
      ++errors;
    }
    if (k >= warmup) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  close(child.to);
  int status = 0;
  waitpid(child.pid, &status, 0);
  close(child.from);

  double mean = 0;
  for (double v : us) mean += v;
  mean /= static_cast<double>(us.size());
  std::sort(us.begin(), us.end());
  const double p50 = quantile(us, 0.50), p90 = quantile(us, 0.90), p99 = quantile(us, 0.99),
               p999 = quantile(us, 0.999), mx = us.back(), mn = us.front();
  std::fprintf(stderr,
               "vckv-latency: %zu requests (after %llu warm-up), µs: min %.1f p50 %.1f p90 %.1f "
               "p99 %.1f p99.9 %.1f max %.1f mean %.1f; %llu error replies%s%s\n",
               us.size(), static_cast<unsigned long long>(warmup), mn, p50, p90, p99, p999, mx,
               mean, static_cast<unsigned long long>(errors), errors ? ", e.g. " : "",
               sample_error.c_str());
  std::printf(
      "{\"requests\": %zu, \"warmup\": %llu, \"min_us\": %.2f, \"p50_us\": %.2f, \"p90_us\": "
      "%.2f, \"p99_us\": %.2f, \"p999_us\": %.2f, \"max_us\": %.2f, \"mean_us\": %.2f, "
      "\"round_trips_per_s\": %.0f, \"error_replies\": %llu, \"spin\": %s, \"exit\": %d}\n",
      us.size(), static_cast<unsigned long long>(warmup), mn, p50, p90, p99, p999, mx, mean,
      static_cast<double>(warmup + requests) / total_s, static_cast<unsigned long long>(errors), spin ? "true" : "false",
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
