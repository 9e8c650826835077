#include "vckv/runtime/event_loop.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <sstream>
#include <thread>
#include <vector>

namespace vckv {
namespace {

// Feeds the framer in pieces and renders what it reported, e.g. "1:a 3:b [4 overlong 9]".
std::string frame(std::initializer_list<std::string_view> pieces, std::size_t max = 16,
                  bool finish = true) {
  std::string seen;
  LineFramer framer(
      max,
      [&](std::string_view line, std::uint64_t n) {
        seen += (seen.empty() ? "" : " ") + std::to_string(n) + ":" + std::string(line);
      },
      [&](std::uint64_t n, std::uint64_t bytes) {
        seen += (seen.empty() ? "" : " ") + std::string("[") + std::to_string(n) + " overlong " +
                std::to_string(bytes) + "]";
      });
  for (std::string_view p : pieces) framer.feed(p);
  if (finish) framer.finish();
  return seen;
}

TEST(LineFramerTest, SplitsLinesAcrossReads) {
  EXPECT_EQ(frame({"a\nb", "c\n", "d"}), "1:a 2:bc 3:d");
}

TEST(LineFramerTest, BlankLinesAreSkippedButCounted) {
  EXPECT_EQ(frame({"\n  \t\r\nx\n\n"}), "3:x");
}

TEST(LineFramerTest, StripsOneTrailingCarriageReturn) {
  EXPECT_EQ(frame({"a\r\nb\r", "\n"}), "1:a 2:b");
}

TEST(LineFramerTest, OverlongLinesAreCountedNotBuffered) {
  EXPECT_EQ(frame({"0123456789", "0123456789", "012\nok\n"}, 16), "[1 overlong 23] 2:ok");
  EXPECT_EQ(frame({"short\n", std::string(40, 'x')}, 16), "1:short [2 overlong 40]");
  // The limit is inclusive: a line of exactly max bytes is handled.
  EXPECT_EQ(frame({std::string(16, 'y') + "\n"}, 16), "1:" + std::string(16, 'y'));
}

TEST(LineFramerTest, BufferStaysBoundedWhileSkipping) {
  std::size_t most = 0;
  LineFramer framer(
      1024, [](std::string_view, std::uint64_t) {}, [](std::uint64_t, std::uint64_t) {});
  const std::string chunk(4096, 'z');
  for (int i = 0; i < 1000; ++i) {
    framer.feed(chunk);
    most = std::max(most, framer.buffered());
  }
  EXPECT_LE(most, 1024u);
}

TEST(LineFramerTest, EndOfInputMidLineHandlesThePartialLine) {
  EXPECT_EQ(frame({"a\n", "partial"}), "1:a 2:partial");
  EXPECT_EQ(frame({"a\n", "partial"}, 16, false), "1:a");
}

// Paused after a line, the framer keeps the rest of what it was fed (whole lines and an
// unfinished one) unhandled until resume(); the line numbers run on as if it had not paused.
TEST(LineFramerTest, PausesBetweenLinesAndResumes) {
  std::vector<std::string> seen;
  bool pause = false;
  LineFramer framer(
      16,
      [&](std::string_view line, std::uint64_t n) {
        seen.push_back(std::to_string(n) + ":" + std::string(line));
        pause = pause || line == "b" || line == "d";  // the budget is spent after these
      },
      [&](std::uint64_t n, std::uint64_t) { seen.push_back(std::to_string(n) + ":overlong"); },
      [&] { return pause; });
  framer.feed("a\nb\nc\n\nd\nxxxxxxxxxxxxxxxxxxxxxxx\ne\nf");
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a", "2:b"}));
  EXPECT_TRUE(framer.held());
  pause = false;  // the budget has room again
  framer.resume();
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a", "2:b", "3:c", "5:d"}));
  EXPECT_TRUE(framer.held());
  pause = false;
  framer.resume();  // the overlong line, e, and the unfinished f waits for its end
  EXPECT_EQ(seen.back(), "7:e");
  EXPECT_FALSE(framer.held());
  framer.feed("g\n");
  EXPECT_EQ(seen.back(), "8:fg");
  // Paused with nothing after the line: nothing is held (there is nothing to hold).
  pause = true;
  framer.feed("h\n");
  EXPECT_FALSE(framer.held());
  // Bytes fed while some wait join them; at end of input, what waits is handled without
  // pausing.
  framer.feed("i\nj\nk");
  EXPECT_TRUE(framer.held());
  framer.feed("l\nm");
  framer.finish();
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a", "2:b", "3:c", "5:d", "6:overlong", "7:e",
                                            "8:fg", "9:h", "10:i", "11:j", "12:kl",
                                            "13:m"}));
}

// The output budget: requests are handled one at a time, and once the unwritten output reaches
// the budget the rest of a read waits (and nothing more is read) until the reader has taken
// enough. However large each reply, the output held never exceeds the budget by more than one
// reply; and every request is still answered, in order.
TEST(EventLoopTest, InputWaitsWhileTheOutputBudgetIsSpent) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  constexpr std::size_t kBudget = 256 * 1024, kReply = 100 * 1024, kLines = 200;
  std::string input;
  for (std::size_t i = 0; i < kLines; ++i) input += "request " + std::to_string(i) + "\n";
  ASSERT_LT(input.size(), 65536u);  // one read of the pipe takes it all
  ASSERT_EQ(write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(in[1]);
  std::size_t replies = 0, out_bytes = 0;
  std::thread reader([&] {
    std::vector<char> buf(1 << 16);
    for (ssize_t n; (n = read(out[0], buf.data(), buf.size())) > 0;) {
      out_bytes += static_cast<std::size_t>(n);
      replies += static_cast<std::size_t>(std::count(buf.begin(), buf.begin() + n, '\n'));
      usleep(200);  // a reader slower than the node
    }
  });
  std::ostringstream logs;
  Logger log(logs, LogLevel::kWarn);
  std::size_t most_unwritten = 0, handled = 0;
  {
    EventLoopOptions options{in[0], out[1]};
    options.max_pending_output = kBudget;
    EventLoop loop(options, log);
    LineFramer framer(
        1024,
        [&](std::string_view, std::uint64_t) {
          ++handled;
          loop.output() += std::string(kReply - 1, 'r') + "\n";
          most_unwritten = std::max(most_unwritten, loop.unwritten());
        },
        [](std::uint64_t, std::uint64_t) {},
        [&] { return loop.unwritten() >= kBudget; });
    EXPECT_EQ(loop.run(EventLoop::Input{[&](std::string_view bytes) { framer.feed(bytes); },
                                        [&] { framer.finish(); }, [&] { return framer.held(); },
                                        [&] { framer.resume(); }}),
              0);
  }
  close(out[1]);
  reader.join();
  EXPECT_EQ(handled, kLines);
  EXPECT_EQ(replies, kLines);
  EXPECT_EQ(out_bytes, kLines * kReply);
  EXPECT_LE(most_unwritten, kBudget + kReply);
  close(in[0]);
  close(out[0]);
}

TEST(EventLoopTest, AnOutputBufferThatGrewIsFreedOnceWritten) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(write(in[1], "burst\n", 6), 6);
  close(in[1]);
  std::size_t out_bytes = 0;
  std::thread reader([&] {
    std::vector<char> buf(1 << 16);
    for (ssize_t n; (n = read(out[0], buf.data(), buf.size())) > 0;) {
      out_bytes += static_cast<std::size_t>(n);
    }
  });
  std::ostringstream logs;
  Logger log(logs, LogLevel::kWarn);
  constexpr std::size_t kBurst = 8u << 20;
  std::size_t capacity_in_burst = 0;
  {
    EventLoop loop(EventLoopOptions{in[0], out[1]}, log);
    EXPECT_EQ(loop.run([&](std::string_view) {
                loop.output() += std::string(kBurst, 'r');
                capacity_in_burst = loop.output().capacity();
              }, [] {}),
              0);
    EXPECT_LE(loop.output().capacity(), EventLoop::kKeptOutputCapacity);
  }
  close(out[1]);
  reader.join();
  EXPECT_GE(capacity_in_burst, kBurst);
  EXPECT_EQ(out_bytes, kBurst);
  close(in[0]);
  close(out[0]);
}

// The loop over real pipes: input is echoed through the callback, timers fire, EOF ends it.
TEST(EventLoopTest, ReadsUntilEndOfInputAndRunsTimers) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  std::ostringstream logs;
  Logger log(logs, LogLevel::kDebug);
  int fired = 0;
  std::thread writer([&] {
    const std::string text = "hello\n";
    usleep(50000);  // long enough for the 10 ms timer to fire a few times
    ASSERT_EQ(write(in[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(in[1]);
  });
  int status = -1;
  {
    EventLoop loop(EventLoopOptions{in[0], out[1]}, log);
    loop.add_timer(10, [&](std::int64_t) {
      ++fired;
      return fired < 3 ? 10 : -1;  // three runs, then stop
    });
    status = loop.run([&](std::string_view bytes) { loop.output() += std::string(bytes) + "!"; },
                      [&] { loop.output() += "end\n"; });
  }
  writer.join();
  close(out[1]);
  char buf[64] = {};
  const ssize_t n = read(out[0], buf, sizeof buf);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "hello\n!end\n");
  EXPECT_EQ(fired, 3);
  close(in[0]);
  close(out[0]);
}

TEST(EventLoopTest, ReaderClosingStdoutEndsTheLoopCleanly) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  close(out[0]);  // nobody will ever read
  std::ostringstream logs;
  Logger log(logs, LogLevel::kWarn);
  ASSERT_EQ(write(in[1], "x\n", 2), 2);
  int status = -1;
  {
    EventLoop loop(EventLoopOptions{in[0], out[1]}, log);
    status = loop.run([&](std::string_view) { loop.output() += "reply\n"; }, [] {});
  }
  EXPECT_EQ(status, 0);
  EXPECT_NE(logs.str().find("stdout was closed by its reader"), std::string::npos);
  close(in[0]);
  close(in[1]);
  close(out[1]);
}

// Busy-polling: input that arrives while the loop spins and input that arrives after it went
// back to sleep are both handled, and end of input still ends the loop.
TEST(EventLoopTest, BusyPollingHandlesInputDuringAndAfterTheWindow) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  std::ostringstream logs;
  Logger log(logs, LogLevel::kDebug);
  std::thread writer([&] {
    ASSERT_EQ(write(in[1], "a\n", 2), 2);
    usleep(1000);  // inside the 200 ms window: found by the spin
    ASSERT_EQ(write(in[1], "b\n", 2), 2);
    usleep(300000);  // past the window: found by the sleeping poll
    ASSERT_EQ(write(in[1], "c\n", 2), 2);
    close(in[1]);
  });
  int status = -1;
  {
    EventLoopOptions options{in[0], out[1]};
    options.busy_poll_us = 200000;
    EventLoop loop(options, log);
    status = loop.run([&](std::string_view bytes) { loop.output() += bytes; },
                      [&] { loop.output() += "end\n"; });
  }
  writer.join();
  close(out[1]);
  std::string got;
  char buf[64];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(got, "a\nb\nc\nend\n");
  close(in[0]);
  close(out[0]);
}

// A timer due inside the busy-poll window runs when it is due, not when the window ends: the
// writer only ends the input once the timer has fired, and gives up after 3 s (the window is 10 s,
// so a loop that spun past the timer would fail here).
TEST(EventLoopTest, BusyPollingDoesNotDelayADueTimer) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  std::ostringstream logs;
  Logger log(logs, LogLevel::kDebug);
  std::atomic<bool> fired{false};
  bool fired_in_time = false;
  std::thread writer([&] {
    ASSERT_EQ(write(in[1], "a\n", 2), 2);
    for (int waited_ms = 0; waited_ms < 3000 && !fired; ++waited_ms) usleep(1000);
    fired_in_time = fired;
    close(in[1]);
  });
  {
    EventLoopOptions options{in[0], out[1]};
    options.busy_poll_us = 10000000;
    EventLoop loop(options, log);
    loop.add_timer(20, [&](std::int64_t) {
      fired = true;
      return -1;
    });
    EXPECT_EQ(loop.run([&](std::string_view) {}, [] {}), 0);
  }
  writer.join();
  EXPECT_TRUE(fired_in_time);
  close(in[0]);
  close(out[0]);
  close(out[1]);
}

// Work queued by input is done by the before-sleep hook before the loop waits: the output a
// hook appends is written while the writer still holds stdin open (it waits for that output
// before it closes), and at end of input the hook runs once more.
TEST(EventLoopTest, BeforeSleepHookRunsBeforeTheLoopWaits) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  std::ostringstream logs;
  Logger log(logs, LogLevel::kDebug);
  std::string got;
  std::thread writer([&] {
    ASSERT_EQ(write(in[1], "a\n", 2), 2);
    char buf[64];
    // Blocks until the loop has written what the hook produced for "a".
    while (got.find("flushed a") == std::string::npos) {
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    close(in[1]);
  });
  std::string queued;
  int hook_runs_after_end = 0;
  bool ended = false;
  {
    EventLoop loop(EventLoopOptions{in[0], out[1]}, log);
    loop.add_before_sleep([&] {
      if (ended) ++hook_runs_after_end;
      if (queued.empty()) return;
      loop.output() += "flushed " + queued;
      queued.clear();
    });
    EXPECT_EQ(loop.run([&](std::string_view bytes) { queued += bytes; }, [&] { ended = true; }),
              0);
  }
  writer.join();
  EXPECT_EQ(got, "flushed a\n");
  EXPECT_EQ(hook_runs_after_end, 1);
  close(in[0]);
  close(out[0]);
  close(out[1]);
}

// Input already waiting (a file on stdin) is read in turns of up to max_turn_input_bytes, so a
// per-turn cost (--fsync batch's fdatasync) is paid once per that many bytes; by default a turn
// is one read of read_chunk_bytes. Every byte arrives, in order.
TEST(EventLoopTest, ATurnReadsWaitingInputUpToItsBudget) {
  char path[] = "/tmp/vckv-event-loop-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "line " + std::to_string(i) + "\n";  // ~1.1 MB
  ASSERT_EQ(write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fd);
  auto turns_to_read = [&](std::size_t turn_budget) {
    const int in = open(path, O_RDONLY);
    const int out = open("/dev/null", O_WRONLY);
    std::ostringstream logs;
    Logger log(logs, LogLevel::kDebug);
    EventLoopOptions options{in, out};
    options.read_chunk_bytes = 64 * 1024;
    options.max_turn_input_bytes = turn_budget;
    std::string got;
    int turns_with_input = 0;
    std::size_t fed_this_turn = 0;
    {
      EventLoop loop(options, log);
      loop.add_before_sleep([&] {
        if (fed_this_turn > 0) ++turns_with_input;
        EXPECT_LE(fed_this_turn, std::max(turn_budget, options.read_chunk_bytes));
        fed_this_turn = 0;
      });
      EXPECT_EQ(loop.run([&](std::string_view bytes) {
                  got += bytes;
                  fed_this_turn += bytes.size();
                },
                         [] {}),
                0);
    }
    close(in);
    close(out);
    EXPECT_EQ(got, input);
    return turns_with_input;
  };
  const int chunks = static_cast<int>((input.size() + 65535) / 65536);
  EXPECT_EQ(turns_to_read(64 * 1024), chunks);
  EXPECT_EQ(turns_to_read(512 * 1024), (static_cast<int>(input.size()) + 512 * 1024 - 1) / (512 * 1024));
  unlink(path);
}

// A timer callback may add timers (they run on a later turn, never in the same pass, and the
// timer list is not disturbed under it) and cancel timers, itself included.
TEST(EventLoopTest, TimersAddedAndCancelledByTimersAreSafe) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  std::ostringstream logs;
  Logger log(logs, LogLevel::kDebug);
  std::vector<std::string> events;
  {
    EventLoop loop(EventLoopOptions{in[0], out[1]}, log);
    Scheduler::TimerId doomed = 0;
    Scheduler::TimerId self = 0;
    self = loop.add_timer(0, [&](std::int64_t) {
      events.push_back("first");
      // Many additions from inside a callback: with a vector scanned in place, these would
      // reallocate it under the running loop.
      for (int i = 0; i < 100; ++i) {
        loop.add_timer(0, [&, i](std::int64_t) {
          if (i == 99) {
            events.push_back("added ran");
            close(in[1]);  // ends the run
          }
          return -1;
        });
      }
      loop.cancel_timer(doomed);
      loop.cancel_timer(self);  // cancelling itself: it must not run again
      return 0;
    });
    doomed = loop.add_timer(0, [&](std::int64_t) {
      events.push_back("doomed ran");
      return -1;
    });
    EXPECT_EQ(loop.run([](std::string_view) {}, [] {}), 0);
  }
  EXPECT_EQ(events, (std::vector<std::string>{"first", "added ran"}));
  close(in[0]);
  close(out[0]);
  close(out[1]);
}

// What is queued at the end is written, within a bound: at end of input the loop waits while
// the reader reads and gives up once it has taken nothing for drain_ms; after a stop signal, a
// second signal ends the wait at once.
TEST(EventLoopTest, TheFinalDrainIsBounded) {
  for (const bool by_signal : {false, true}) {
    int in[2], out[2];
    ASSERT_EQ(pipe(in), 0);
    ASSERT_EQ(pipe(out), 0);  // nobody reads out[0]
    std::ostringstream logs;
    Logger log(logs, LogLevel::kInfo);
    ASSERT_EQ(write(in[1], "x\n", 2), 2);
    if (!by_signal) close(in[1]);
    std::thread signaller;
    {
      EventLoopOptions options{in[0], out[1]};
      options.drain_ms = by_signal ? 600000 : 300;  // (by signal: only the second one ends it)
      EventLoop loop(options, log);
      if (by_signal) {
        signaller = std::thread([] {
          usleep(100000);
          raise(SIGTERM);
          usleep(100000);
          raise(SIGTERM);
        });
      }
      EXPECT_EQ(loop.run([&](std::string_view) { loop.output() += std::string(1 << 20, 'o'); },
                         [] {}),
                0);
    }
    if (signaller.joinable()) signaller.join();
    const std::string text = logs.str();
    EXPECT_NE(text.find(by_signal ? "stopped by a second signal with" : "the reader took nothing for 300 ms"),
              std::string::npos)
        << text;
    close(in[0]);
    if (by_signal) close(in[1]);
    close(out[0]);
    close(out[1]);
  }
}

}  // namespace
}  // namespace vckv
