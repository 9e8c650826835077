// The nasty cases of hostile input: the node answers what it can, logs what it cannot, keeps
// every stored version and goes on. Node-level cases feed lines directly; process-level cases
// (overlong lines, a closed stdout, memory) run the built binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "vckv/node/node.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

struct Fed {
  ManualScheduler scheduler;
  std::ostringstream logs;
  std::string out;
  Logger log{logs, LogLevel::kInfo};
  Node node;
  std::uint64_t line_number = 0;
  explicit Fed(NodeOptions options = {}) : node(options, out, scheduler, log) {
    feed(R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":0,"node_id":"n1","node_ids":["n1"]}})");
  }
  std::string feed(std::string_view line) {
    out.clear();
    node.handle_line(line, ++line_number);
    return out;
  }
  std::string put(const std::string& key, const std::string& value, const std::string& clock) {
    return feed(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":1,"key":)" + key +
                R"(,"value":)" + value + R"(,"clock":)" + clock + "}}");
  }
  std::string get(const std::string& key) {
    return feed(R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":)" + key + "}}");
  }
};

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(HostileInputTest, HundredThousandNestedBracketsInAValue) {
  Fed f;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(has(f.put("\"x\"", deep, "[1]"), "kv_put: value nests deeper than 200 levels"));
  // Unterminated: not JSON at all, so no reply.
  EXPECT_EQ(f.put("\"x\"", std::string(100000, '['), "[1]"), "");
  EXPECT_EQ(f.node.store().key_count(), 0u);
}

TEST(HostileInputTest, InvalidUtf8AndNonFiniteNumbersAreNotJson) {
  Fed f;
  EXPECT_EQ(f.put("\"x\"", "\"\xc3\x28\"", "[1]"), "");
  EXPECT_EQ(f.put("\"x\"", "NaN", "[1]"), "");
  EXPECT_EQ(f.put("\"x\"", "-Infinity", "[1]"), "");
  EXPECT_EQ(f.put("\"\xed\xa0\x80\"", "1", "[1]"), "");  // an encoded surrogate
  EXPECT_EQ(f.node.store().key_count(), 0u);
  EXPECT_TRUE(has(f.logs.str(), "line 5: invalid JSON at column 68 near '...put\",\"msg_id\":1,\"key\":\"\\xED\\xA0\\x80\",\"valu...'; skipped")) << f.logs.str();
}

TEST(HostileInputTest, IntegersBeyondSixtyFourBits) {
  Fed f;
  EXPECT_TRUE(has(f.put("\"x\"", "1", "[99999999999999999999999]"),
                  "kv_put: clock[0] must be at most 18446744073709551615, got 99999999999999999999999"));
  EXPECT_TRUE(has(f.put("\"x\"", "-99999999999999999999999", "[18446744073709551615]"), "written"));
  EXPECT_TRUE(has(f.get("\"x\""), R"("values": [{"value": -99999999999999999999999, "clock": [18446744073709551615]}])"));
  EXPECT_TRUE(has(f.put("123456789012345678901234567890", "1", "[1]"), "written"));
  EXPECT_TRUE(has(f.get("123456789012345678901234567890"), R"("values": [{"value": 1, "clock": [1]}])"));
  EXPECT_TRUE(has(f.put("\"x\"", "1", "[-18446744073709551616]"), "must be a non-negative integer"));
}

TEST(HostileInputTest, DuplicateObjectKeysAndTheEmptyKey) {
  Fed f;
  EXPECT_TRUE(has(f.feed(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"a","key":"","value":{"p":1,"q":2,"p":3},"clock":[1]}})"),
                  "written"));
  EXPECT_TRUE(has(f.get("\"\""), R"("values": [{"value": {"p": 3, "q": 2}, "clock": [1]}])"));
  EXPECT_TRUE(has(f.get("\"a\""), R"("values": [])"));
}

TEST(HostileInputTest, AClockOfAMillionEntries) {
  Fed f;
  std::string clock = "[";
  for (int i = 0; i < 1000000; ++i) clock += i ? ",7" : "7";
  clock += "]";
  EXPECT_TRUE(has(f.put("\"x\"", "1", clock),
                  "kv_put: clock has 1000000 entries, more than --max-clock-entries (1024)"));
  NodeOptions wide;
  wide.codec.max_clock_entries = 1000000;
  Fed g(wide);
  EXPECT_TRUE(has(g.put("\"x\"", "1", clock), "written"));
  EXPECT_TRUE(has(g.put("\"x\"", "2", "[8]"), "conflict"));
}

TEST(HostileInputTest, AMillionKeys) {
  Fed f;
  for (int i = 0; i < 1000000; ++i) {
    f.node.handle_line(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":)" + std::to_string(i) +
                           R"(,"value":"value-of-16-byte","clock":[1,0,0,0]}})",
                       ++f.line_number);
    if (f.out.size() > (1u << 20)) f.out.clear();
  }
  EXPECT_EQ(f.node.store().key_count(), 1000000u);
  EXPECT_TRUE(has(f.get("999999"), R"("values": [{"value": "value-of-16-byte", "clock": [1, 0, 0, 0]}])"));
}

TEST(HostileInputTest, ErrorsChangeNothing) {
  Fed f;
  f.put("\"x\"", "\"keep\"", "[1]");
  const std::string before = describe(f.node.store().find("\"x\""));
  f.put("\"x\"", "\"bad\"", "[1, \"2\"]");
  f.put("\"x\"", "\"bad\"", "[1.5]");
  f.feed(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","clock":[5]}})");
  f.feed(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":1,"clock":[5],"msg_id":"x"}})");
  f.feed(R"({"src":"c1","dest":"n9","body":{"type":"kv_put","key":"x","value":1,"clock":[5]}})");
  EXPECT_EQ(describe(f.node.store().find("\"x\"")), before);
}

// --- The built binary -------------------------------------------------------------------------

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
  long max_rss_kb = 0;
};

// Runs the node with args, writing input from a thread (produce is called with the pipe fd),
// or with stdin from input_fd (a file: the node then reads it in full chunks).
RunResult run_node(std::vector<std::string> args, const std::function<void(int, pid_t)>& produce,
                   bool close_stdout_early = false, int input_fd = -1) {
  int in[2], out[2], err[2];
  EXPECT_EQ(pipe(in), 0);
  if (input_fd >= 0) {
    dup2(input_fd, in[0]);  // the child's stdin is the file; the pipe's write end idles
  }
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    std::vector<char*> argv;
    std::string bin = VCKV_NODE_BINARY;
    argv.push_back(bin.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  signal(SIGPIPE, SIG_IGN);
  if (close_stdout_early) {
    close(out[0]);
    out[0] = -1;
  }
  std::thread writer([&] {
    produce(in[1], pid);
    close(in[1]);
  });
  RunResult r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  char buf[65536];
  for (int open = (out[0] >= 0) + 1; open > 0;) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  writer.join();
  rusage usage{};
  int status = 0;
  wait4(pid, &status, 0, &usage);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kb = usage.ru_maxrss;
  return r;
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

constexpr std::string_view kInit =
    R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}})"
    "\n";

TEST(HostileProcessTest, OverlongLineIsSkippedWithBoundedMemory) {
  const RunResult r = run_node({"--max-line-bytes", "4096"}, [](int fd, pid_t) {
    write_all(fd, kInit);
    const std::string chunk(1 << 20, 'x');
    write_all(fd, "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":\"");
    for (int i = 0; i < 256; ++i) write_all(fd, chunk);  // a 256 MiB line
    write_all(fd, "\"}\n");
    write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":2,"key":"x"}})" "\n");
  });
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, R"("type": "kv_get_ok", "in_reply_to": 2)")) << r.out;
  EXPECT_TRUE(has(r.err, "line 2: longer than --max-line-bytes (268435490 bytes); skipped")) << r.err;
  EXPECT_LT(r.max_rss_kb, 64 * 1024) << "the node held the overlong line in memory";
}

TEST(HostileProcessTest, EndOfInputInTheMiddleOfALine) {
  const RunResult r = run_node({}, [](int fd, pid_t) {
    write_all(fd, kInit);
    write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":2,"key":"x"}})");
  });
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, R"("in_reply_to": 2, "values": [], "msg_id": 1}})" "\n"));
  const RunResult cut = run_node({}, [](int fd, pid_t) {
    write_all(fd, kInit);
    write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_get","ms)");
  });
  EXPECT_EQ(cut.status, 0);
  EXPECT_TRUE(has(cut.err, "line 2: invalid JSON at column 52 near '...dy\":{\"type\":\"kv_get\",\"ms'; skipped")) << cut.err;
}

TEST(HostileProcessTest, StdoutClosedByTheReaderExitsCleanly) {
  const RunResult r = run_node(
      {},
      [](int fd, pid_t) {
        write_all(fd, kInit);
        for (int i = 0; i < 1000; ++i) {
          write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":2,"key":"x"}})" "\n");
        }
      },
      /*close_stdout_early=*/true);
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.err, "stdout was closed by its reader; exiting")) << r.err;
}

// Waits (up to 30 s) until process pid catches signo (its SigCgt mask in /proc/PID/status):
// a signal sent before the handler is installed would kill it, however slow its start.
bool wait_until_caught(pid_t pid, int signo) {
  for (int i = 0; i < 3000; ++i) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigCgt:", 0) == 0 && ((std::stoull(line.substr(7), nullptr, 16) >> (signo - 1)) & 1)) {
        return true;
      }
    }
    usleep(10000);
  }
  return false;
}

TEST(HostileProcessTest, SigtermWithStdinOpenFlushesAndExitsZero) {
  const RunResult r = run_node({}, [](int fd, pid_t pid) {
    write_all(fd, kInit);
    EXPECT_TRUE(wait_until_caught(pid, SIGTERM));
    usleep(300000);  // init is answered meanwhile
    kill(pid, SIGTERM);
    usleep(1500000);  // stdin stays open: only the signal can end the node
  });
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, "init_ok"));
  EXPECT_TRUE(has(r.err, "stopping on a signal")) << r.err;
}

// In a cluster every acknowledged write must be able to reach the other nodes: a version whose
// node-to-node line would be longer than --max-line-bytes is refused (error 22, saying why and
// the limit), never stored, acknowledged and then resent forever. Two ways to get there: a
// value whose characters json.dumps escapes (6 MB of raw UTF-8 'é' is 18 MB of \u00e9), and a
// client line of exactly the limit (the sync around the same version is longer).
constexpr std::string_view kInitCluster =
    R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1","n2"]}})"
    "\n";

void expect_refused_and_never_sent(const RunResult& r, const std::string& taken) {
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, R"("in_reply_to": 2, "code": 22, "text": "kv_put: key, value and clock take )" +
                             taken + R"( bytes as json.dumps writes them (a non-ASCII character as a 6-byte \\uXXXX escape), more than the 16777008 that fit in a message to the other nodes (--max-line-bytes 16777216): it could never reach them")"))
      << r.out.substr(0, 600);
  EXPECT_FALSE(has(r.out, R"("type": "sync")"));  // nothing stored, nothing to send
  EXPECT_TRUE(has(r.out, R"("in_reply_to": 3, "values": [])"));
  std::size_t start = 0;
  for (std::size_t end; (end = r.out.find('\n', start)) != std::string::npos; start = end + 1) {
    EXPECT_LE(end - start, 16u << 20);
  }
}

TEST(HostileProcessTest, AValueNoPeerCouldReadIsRefused) {
  std::string value;
  for (int i = 0; i < 3000000; ++i) value += "\xC3\xA9";  // 6 MB of UTF-8 'é'
  const RunResult r = run_node({}, [&](int fd, pid_t) {
    write_all(fd, kInitCluster);
    write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"k","value":")" + value +
                      R"(","clock":[1]}})" "\n");
    write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":3,"key":"k"}})" "\n");
  });
  expect_refused_and_never_sent(r, "18000008");
}

TEST(HostileProcessTest, AClientLineOfExactlyTheLimitIsRefused) {
  const std::string head = R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"big","value":")";
  const std::string tail = R"(","clock":[1]}})";
  const std::string line = head + std::string((16u << 20) - head.size() - tail.size(), 'a') + tail;
  ASSERT_EQ(line.size(), 16u << 20);
  const RunResult r = run_node({}, [&](int fd, pid_t) {
    write_all(fd, kInitCluster);
    write_all(fd, line + "\n");
    write_all(fd, R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":3,"key":"big"}})" "\n");
  });
  expect_refused_and_never_sent(r, std::to_string(5 + (line.size() - head.size() - tail.size() + 2) + 3));
}

// The output budget (--max-output-bytes, 32 MiB): 3,000 gets of a key holding 100 siblings of
// 2 kB, read from a file in 256 kB chunks, answered with 600 MB of replies to a reader that
// reads them: requests are handled one at a time against the budget, so the replies of one
// chunk are never all in memory at once (held at once, they take 952 MB of RSS).
TEST(HostileProcessTest, ManyLargeRepliesStayWithinTheOutputBudget) {
  std::string input(kInit);
  for (int i = 0; i < 100; ++i) {
    std::string clock = "[";
    for (int j = 0; j < 100; ++j) clock += std::string(j ? "," : "") + (j == i ? "1" : "0");
    clock += "]";
    input += R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"k","value":")" +
             std::string(2000, 'v') + std::to_string(i) + R"(","clock":)" + clock + "}}\n";
  }
  for (int i = 0; i < 3000; ++i) {
    input += R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":)" + std::to_string(i) +
             R"(,"key":"k"}})" "\n";
  }
  FILE* file = tmpfile();
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(fwrite(input.data(), 1, input.size(), file), input.size());
  fflush(file);
  rewind(file);
  const RunResult r = run_node({}, [](int, pid_t) {}, false, fileno(file));
  fclose(file);
  EXPECT_EQ(r.status, 0);
  std::size_t replies = 0;
  for (std::size_t at = 0; (at = r.out.find(R"("type": "kv_get_ok")", at)) != std::string::npos; ++at) ++replies;
  EXPECT_EQ(replies, 3000u);
  EXPECT_TRUE(has(r.out, R"("in_reply_to": 2999, "values": [{"value": "vvvv)"));
  // (63 MB in the plain build, 143 MB under ASan; 952 MB when a read's replies were all held.)
  EXPECT_LT(r.max_rss_kb, 256 * 1024) << "the replies of a whole read were held at once";
}

// SIGTERM with replies queued behind a reader that has not read them yet: they are all
// written before the node exits 0 (the reader starts reading after the signal).
TEST(HostileProcessTest, SigtermWritesTheQueuedRepliesBeforeExiting) {
  int in[2], out[2], err[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(pipe(err), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    std::string bin = VCKV_NODE_BINARY;
    char* argv[] = {bin.data(), nullptr};
    execv(bin.c_str(), argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  constexpr int kGets = 100;
  std::string input(kInit);
  input += R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":1,"key":"k","value":")" +
           std::string(100000, 'v') + R"(","clock":[1]}})" "\n";
  for (int i = 0; i < kGets; ++i) {
    input += R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":)" + std::to_string(100 + i) +
             R"(,"key":"k"}})" "\n";
  }
  input += "the end\n";  // not JSON: its warning on stderr shows every request before it was handled
  std::thread writer([&] { write_all(in[1], input); });
  std::string err_text;
  char buf[65536];
  while (err_text.find("invalid JSON") == std::string::npos) {
    const ssize_t n = read(err[0], buf, sizeof buf);
    ASSERT_GT(n, 0) << err_text;
    err_text.append(buf, static_cast<std::size_t>(n));
  }
  writer.join();
  kill(pid, SIGTERM);  // 10 MB of replies wait: 64 kB in the pipe, the rest in the node
  std::string out_text;
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) out_text.append(buf, static_cast<std::size_t>(n));
  for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) err_text.append(buf, static_cast<std::size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(in[1]);
  close(out[0]);
  close(err[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::size_t replies = 0;
  for (std::size_t at = 0; (at = out_text.find(R"("type": "kv_get_ok")", at)) != std::string::npos; ++at) ++replies;
  EXPECT_EQ(replies, static_cast<std::size_t>(kGets)) << err_text;
  EXPECT_TRUE(has(out_text, R"("in_reply_to": 199, )"));
  EXPECT_TRUE(has(err_text, "stopping on a signal")) << err_text;
  EXPECT_FALSE(has(err_text, "unwritten")) << err_text;
}

}  // namespace
}  // namespace vckv
