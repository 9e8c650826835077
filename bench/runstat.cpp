// vckv-runstat: run a command with stdin from a file and stdout to /dev/null (or a file), and
// report wall time, messages per second and the child's peak RSS (wait4 rusage.ru_maxrss) as one
// JSON line. With --repeat N the command runs N times and the fastest run is reported (its RSS
// too; max_rss_kb_max is the largest over all runs).
//
//   vckv-runstat [--repeat N] [--label L] [--out FILE] [--msgs N] INPUT -- CMD [ARGS...]
//
// msgs defaults to the number of non-empty lines in INPUT.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vckv-runstat: %s\n"
               "usage: vckv-runstat [--repeat N] [--label L] [--out FILE] [--msgs N] INPUT -- CMD "
               "[ARGS...]\n",
               why);
  std::exit(2);
}

std::uint64_t count_lines(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "vckv-runstat: %s: %s\n", path, std::strerror(errno));
    std::exit(2);
  }
  std::vector<char> buf(1 << 20);
  std::uint64_t lines = 0;
  bool in_line = false;
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[static_cast<std::size_t>(i)] == '\n') {
        if (in_line) ++lines;
        in_line = false;
      } else {
        in_line = true;
      }
    }
  }
  if (in_line) ++lines;
  close(fd);
  return lines;
}

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double tv_s(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

struct Run {
  double wall_s = 0, user_s = 0, sys_s = 0;
  long max_rss_kb = 0;
  int exit_code = 0;  // 128 + signal when killed
};

Run run_once(const char* input, const char* out_path, char** cmd) {
  const int in_fd = open(input, O_RDONLY | O_CLOEXEC);
  if (in_fd < 0) {
    std::fprintf(stderr, "vckv-runstat: %s: %s\n", input, std::strerror(errno));
    std::exit(2);
  }
  const int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) {
    std::fprintf(stderr, "vckv-runstat: %s: %s\n", out_path, std::strerror(errno));
    std::exit(2);
  }
  const double start = now_s();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("vckv-runstat: fork");
    std::exit(2);
  }
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    execvp(cmd[0], cmd);
    std::fprintf(stderr, "vckv-runstat: exec %s: %s\n", cmd[0], std::strerror(errno));
    _exit(127);
  }
  close(in_fd);
  close(out_fd);
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      std::perror("vckv-runstat: wait4");
      std::exit(2);
    }
  }
  Run r;
  r.wall_s = now_s() - start;
  r.user_s = tv_s(ru.ru_utime);
  r.sys_s = tv_s(ru.ru_stime);
  r.max_rss_kb = ru.ru_maxrss;  // kilobytes on Linux
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char tmp[8];
      std::snprintf(tmp, sizeof tmp, "\\u%04x", c);
      out += tmp;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 1;
  std::string label;
  const char* out_path = "/dev/null";
  const char* input = nullptr;
  std::uint64_t msgs = 0;
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
    if (a == "--repeat") repeat = std::atoi(value());
    else if (a == "--label") label = value();
    else if (a == "--out") out_path = value();
    else if (a == "--msgs") msgs = std::strtoull(value(), nullptr, 10);
    else if (!a.empty() && a[0] == '-') usage("unknown option");
    else if (!input) input = argv[i];
    else usage("one INPUT only");
  }
  if (!input) usage("no INPUT");
  if (i >= argc) usage("no command after --");
  if (repeat < 1) usage("--repeat must be >= 1");
  char** cmd = argv + i;
  if (label.empty()) label = cmd[0];
  if (msgs == 0) msgs = count_lines(input);

  Run best;
  long rss_max = 0;
  bool have = false;
  for (int k = 0; k < repeat; ++k) {
    const Run r = run_once(input, out_path, cmd);
    rss_max = std::max(rss_max, r.max_rss_kb);
    if (r.exit_code != 0) {
      best = r;
      have = true;
      break;  // a failing command is reported as it failed
    }
    if (!have || r.wall_s < best.wall_s) best = r;
    have = true;
  }
  std::string cmdline;
  for (char** p = cmd; *p; ++p) {
    if (!cmdline.empty()) cmdline += ' ';
    cmdline += *p;
  }
  std::printf(
      "{\"label\": %s, \"cmd\": %s, \"runs\": %d, \"msgs\": %llu, \"wall_s\": %.4f, "
      "\"user_s\": %.3f, \"sys_s\": %.3f, \"msgs_per_s\": %.0f, \"max_rss_kb\": %ld, "
      "\"max_rss_kb_max\": %ld, \"exit\": %d}\n",
      json_string(label).c_str(), json_string(cmdline).c_str(), repeat,
      static_cast<unsigned long long>(msgs), best.wall_s, best.user_s, best.sys_s,
      best.wall_s > 0 ? static_cast<double>(msgs) / best.wall_s : 0.0, best.max_rss_kb, rss_max,
      best.exit_code);
  return best.exit_code == 0 ? 0 : 1;
}
