#include "vckv/runtime/event_loop.hpp"
#include "vckv/inlining.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

namespace vckv {

// ---------------------------------------------------------------------------------------------
// LineFramer

LineFramer::LineFramer(std::size_t max_line_bytes, LineFn on_line, OverlongFn on_overlong,
                       PauseFn pause)
    : max_line_bytes_(max_line_bytes),
      on_line_(std::move(on_line)),
      on_overlong_(std::move(on_overlong)),
      pause_(std::move(pause)) {}

VCKV_HOT
void LineFramer::emit(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) return;  // blank
  on_line_(line, line_number_);
}

VCKV_HOT
void LineFramer::feed(std::string_view bytes) {
  if (held()) {  // (its caller should not, but then these wait behind what waits already)
    held_.append(bytes);
    return;
  }
  const std::string_view rest = run(bytes);
  if (!rest.empty()) {
    held_.assign(rest);
    held_from_ = 0;
  }
}

void LineFramer::resume() {
  if (!held()) return;
  const std::string_view waiting = std::string_view(held_).substr(held_from_);
  const std::string_view rest = run(waiting);  // (on_line sees views into held_: kept as is)
  if (rest.empty()) {
    held_.clear();
    held_from_ = 0;
    // One read's worth, but not kept for good after a large one.
    if (held_.capacity() > (1u << 20)) std::string().swap(held_);
  } else {
    held_from_ = held_.size() - rest.size();
  }
}

std::string_view LineFramer::run(std::string_view bytes) {
  while (!bytes.empty()) {
    const void* found = std::memchr(bytes.data(), '\n', bytes.size());
    const std::size_t len =
        found ? static_cast<std::size_t>(static_cast<const char*>(found) - bytes.data())
              : bytes.size();
    const std::string_view piece = bytes.substr(0, len);
    if (skipping_) {
      skipped_bytes_ += len;
    } else if (partial_.size() + len > max_line_bytes_) {
      // Too long: drop what is held and only count the rest, so memory stays bounded.
      skipping_ = true;
      skipped_bytes_ = partial_.size() + len;
      std::string().swap(partial_);
    } else if (found && partial_.empty()) {
      ++line_number_;
      emit(piece);  // the common case: a whole line inside one read, no copy
      bytes.remove_prefix(len + 1);
      if (pause_ && !bytes.empty() && pause_()) return bytes;
      continue;
    } else {
      partial_.append(piece);
    }
    if (!found) return {};
    ++line_number_;
    if (skipping_) {
      on_overlong_(line_number_, skipped_bytes_);
      skipping_ = false;
      skipped_bytes_ = 0;
    } else {
      emit(partial_);
      partial_.clear();
    }
    bytes.remove_prefix(len + 1);
    if (pause_ && !bytes.empty() && pause_()) return bytes;
  }
  return {};
}

void LineFramer::finish() {
  if (held()) {
    PauseFn pause = std::move(pause_);  // the end: what waits is handled now
    resume();
    pause_ = std::move(pause);
  }
  if (skipping_) {
    ++line_number_;
    on_overlong_(line_number_, skipped_bytes_);
    skipping_ = false;
    skipped_bytes_ = 0;
  } else if (!partial_.empty()) {
    ++line_number_;
    std::string last;
    last.swap(partial_);
    emit(last);
  }
}

// ---------------------------------------------------------------------------------------------
// EventLoop

std::int64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

namespace {

std::int64_t monotonic_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// The self-pipe the signal handler writes to; poll() wakes on its read end.
volatile sig_atomic_t g_signal_fd = -1;

extern "C" void on_stop_signal(int signo) {
  const int saved = errno;
  const char c = static_cast<char>(signo);
  if (g_signal_fd >= 0) [[maybe_unused]] auto n = write(g_signal_fd, &c, 1);
  errno = saved;
}

// poll(2) over fds; first, for up to busy_poll_us (never past timeout_ms), without sleeping.
int wait_for_events(pollfd* fds, int count, int timeout_ms, std::int64_t busy_poll_us) {
  if (busy_poll_us > 0 && timeout_ms != 0) {
    const std::int64_t start = monotonic_us();
    std::int64_t window = busy_poll_us;
    if (timeout_ms > 0) window = std::min<std::int64_t>(window, std::int64_t{timeout_ms} * 1000);
    for (;;) {
      const int ready = poll(fds, static_cast<nfds_t>(count), 0);
      if (ready != 0) return ready;
      const std::int64_t spent = monotonic_us() - start;
      if (spent >= window) {
        // Sleep for what is left of the timeout (rounded up, so a timer is never run early).
        if (timeout_ms > 0) {
          timeout_ms = static_cast<int>(
              std::max<std::int64_t>(0, (std::int64_t{timeout_ms} * 1000 - spent + 999) / 1000));
        }
        break;
      }
      sched_yield();  // another task on this CPU (the client, say) runs first
    }
  }
  return poll(fds, static_cast<nfds_t>(count), timeout_ms);
}

}  // namespace

EventLoop::EventLoop(EventLoopOptions options, Logger& log) : options_(options), log_(log) {
  if (pipe2(signal_pipe_, O_CLOEXEC | O_NONBLOCK) == 0) {
    g_signal_fd = signal_pipe_[1];
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
  }
  // A reader that goes away must show up as EPIPE from write(), not kill the process.
  signal(SIGPIPE, SIG_IGN);
  // Writes to a pipe or socket are made non-blocking so a slow reader never stalls the loop
  // (timers keep running). Terminals and files are left alone: their flags are shared with
  // the shell, and writes to them do not stall.
  struct stat st {};
  if (fstat(options_.out_fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    const int flags = fcntl(options_.out_fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK) &&
        fcntl(options_.out_fd, F_SETFL, flags | O_NONBLOCK) == 0) {
      saved_out_flags_ = flags;
    }
  }
}

EventLoop::~EventLoop() {
  if (saved_out_flags_ >= 0) fcntl(options_.out_fd, F_SETFL, saved_out_flags_);
  if (signal_pipe_[0] >= 0) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    g_signal_fd = -1;
    close(signal_pipe_[0]);
    close(signal_pipe_[1]);
  }
}

Scheduler::TimerId EventLoop::add_timer(std::int64_t delay_ms, TimerFn fn) {
  const TimerId id = next_timer_id_++;
  Timer timer{id, monotonic_ms() + std::max<std::int64_t>(0, delay_ms), std::move(fn), false};
  // While timers run, a new one waits for the pass to end: it runs on the next turn at the
  // earliest, and the vector being scanned is not touched (ae.c guards the same way).
  (running_timers_ ? added_ : timers_).push_back(std::move(timer));
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  // Marked, not erased: the cancelled timer may be the one running now.
  for (std::vector<Timer>* list : {&timers_, &added_}) {
    for (Timer& t : *list) {
      if (t.id == id) t.cancelled = true;
    }
  }
}

void EventLoop::run_due_timers() {
  const std::int64_t now = monotonic_ms();
  running_timers_ = true;
  for (std::size_t i = 0; i < timers_.size(); ++i) {
    if (timers_[i].cancelled || timers_[i].due_ms > now) continue;
    // The callback is moved out while it runs: it may cancel its own timer, or add timers
    // (they wait in added_, so timers_ and this reference stay put).
    TimerFn fn = std::move(timers_[i].fn);
    const std::int64_t delay = fn(now);
    Timer& t = timers_[i];
    if (delay < 0) t.cancelled = true;
    if (!t.cancelled) {
      t.fn = std::move(fn);
      t.due_ms = now + delay;
    }
  }
  running_timers_ = false;
  timers_.erase(std::remove_if(timers_.begin(), timers_.end(),
                               [](const Timer& t) { return t.cancelled; }),
                timers_.end());
  for (Timer& t : added_) {
    if (!t.cancelled) timers_.push_back(std::move(t));
  }
  added_.clear();
}

std::int64_t EventLoop::next_timer_delay() const {
  const std::int64_t now = monotonic_ms();
  std::int64_t next = -1;
  for (const Timer& t : timers_) {
    if (t.cancelled) continue;
    const std::int64_t wait = std::max<std::int64_t>(0, t.due_ms - now);
    next = next < 0 ? wait : std::min(next, wait);
  }
  return next;
}

void EventLoop::run_before_sleep_hooks() {
  for (std::size_t i = 0; i < hooks_.size(); ++i) hooks_[i]();
}

EventLoop::WriteResult EventLoop::write_pending() {
  while (out_sent_ < out_.size()) {
    const ssize_t n =
        write(options_.out_fd, out_.data() + out_sent_, out_.size() - out_sent_);
    if (n > 0) {
      out_sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Keep the unsent tail only, so a long stall does not keep written bytes alive; once the
      // written part is at least half, so the bytes moved stay fewer than the bytes written
      // (a tail moved after every pipe's worth would cost its size each time).
      if (out_sent_ > (1u << 20) && out_sent_ >= out_.size() - out_sent_) {
        out_.erase(0, out_sent_);
        out_sent_ = 0;
      }
      return WriteResult::kPending;
    }
    if (n < 0 && errno == EPIPE) return WriteResult::kClosed;
    log_.error(std::string("write to stdout failed: ") + std::strerror(errno));
    return WriteResult::kError;
  }
  out_.clear();
  out_sent_ = 0;
  // A buffer that grew while the reader lagged (a burst of replies) goes back once written:
  // capacity kept would stay resident for the life of the node.
  if (out_.capacity() > kKeptOutputCapacity) std::string().swap(out_);
  return WriteResult::kDone;
}

bool EventLoop::drain_output(bool after_signal) {
  // The signal that stopped the loop is taken out of its pipe: only a second one ends this.
  if (after_signal && signal_pipe_[0] >= 0) {
    char drained[64];
    while (read(signal_pipe_[0], drained, sizeof drained) > 0) {
    }
  }
  const std::int64_t start = monotonic_ms();
  std::int64_t progress_at = start;
  std::size_t left = unwritten();
  for (;;) {
    const WriteResult w = write_pending();
    if (w == WriteResult::kDone) return true;
    if (w == WriteResult::kClosed) {
      log_.warn("stdout was closed by its reader; exiting");
      return true;
    }
    if (w == WriteResult::kError) return false;
    const std::int64_t now = monotonic_ms();
    if (unwritten() < left) {
      left = unwritten();
      progress_at = now;
    }
    // At a signal the wait is bounded outright; at end of input, while the reader reads.
    const std::int64_t until = (after_signal ? start : progress_at) + options_.drain_ms;
    if (now >= until) {
      log_.warn("gave up writing " + std::to_string(unwritten()) + " bytes of output: " +
                (after_signal ? "not written within " + std::to_string(options_.drain_ms) +
                                    " ms of the signal"
                              : "the reader took nothing for " +
                                    std::to_string(options_.drain_ms) + " ms"));
      return true;
    }
    pollfd fds[2] = {{options_.out_fd, POLLOUT, 0}, {signal_pipe_[0], POLLIN, 0}};
    const int wait = static_cast<int>(std::min<std::int64_t>(until - now, 1 << 30));
    if (poll(fds, signal_pipe_[0] >= 0 ? 2 : 1, wait) < 0 && errno != EINTR) return false;
    if (signal_pipe_[0] >= 0 && (fds[1].revents & POLLIN)) {
      log_.warn("stopped by a second signal with " + std::to_string(unwritten()) +
                " bytes of output unwritten");
      return true;
    }
  }
}

int EventLoop::run(const Input& input) {
  std::string buf(options_.read_chunk_bytes, '\0');
  bool stop = false;
  bool signalled = false;
  bool had_input = false;  // the last wake-up read input: busy-poll before sleeping again
  int status = 0;
  while (!stop) {
    run_due_timers();
    run_before_sleep_hooks();  // may add timers (a request awaiting a reply, say)
    const std::int64_t timeout = next_timer_delay();
    const WriteResult w = write_pending();
    if (w == WriteResult::kClosed) {
      log_.warn("stdout was closed by its reader; exiting");
      return 0;
    }
    if (w == WriteResult::kError) return 1;

    // Input read already and held back over the output budget goes on once the reader has
    // taken half of it (not at the first byte below it: replies are then made in batches);
    // then the timers, hooks and writes of a turn, before more of it. What was written goes
    // first, so the buffer holds little more than the budget.
    const bool holding = input.held && input.held();
    if (holding && unwritten() <= options_.max_pending_output / 2) {
      out_.erase(0, out_sent_);
      out_sent_ = 0;
      input.resume();
      had_input = true;
      continue;
    }
    const bool want_input = !holding && unwritten() < options_.max_pending_output;
    // A negative fd is ignored by poll: stdin while output is backed up, stdout while nothing
    // waits to be written (a writable stdout is served by write_pending at the loop's top).
    enum { kIn, kOut, kSignal };
    pollfd fds[3] = {
        {want_input ? options_.in_fd : -1, POLLIN, 0},
        {w == WriteResult::kPending ? options_.out_fd : -1, POLLOUT, 0},
        {signal_pipe_[0], POLLIN, 0},
    };
    const int timeout_ms =
        timeout < 0 ? -1 : static_cast<int>(std::min<std::int64_t>(timeout, 1 << 30));
    const int ready = wait_for_events(fds, 3, timeout_ms, had_input ? options_.busy_poll_us : 0);
    had_input = false;
    if (ready < 0) {
      if (errno == EINTR) continue;
      log_.error(std::string("poll failed: ") + std::strerror(errno));
      return 1;
    }
    if (fds[kSignal].revents & POLLIN) {
      log_.info("stopping on a signal");
      stop = true;
      signalled = true;
    }
    if (!stop && (fds[kIn].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = read(options_.in_fd, buf.data(), buf.size());
      std::size_t turn_bytes = 0;
      while (got > 0) {
        had_input = true;
        input.feed(std::string_view(buf.data(), static_cast<std::size_t>(got)));
        turn_bytes += static_cast<std::size_t>(got);
        // More of this turn: the chunk was full, more input waits already, and neither the
        // turn's input budget nor the output budget is spent (nor input held over it).
        if (static_cast<std::size_t>(got) < buf.size() ||
            turn_bytes + buf.size() > options_.max_turn_input_bytes ||
            (input.held && input.held()) || unwritten() >= options_.max_pending_output) {
          break;
        }
        pollfd more{options_.in_fd, POLLIN, 0};
        if (poll(&more, 1, 0) <= 0 || !(more.revents & (POLLIN | POLLHUP | POLLERR))) break;
        got = read(options_.in_fd, buf.data(), buf.size());
      }
      if (got == 0) {
        input.end();
        run_before_sleep_hooks();
        stop = true;
      } else if (got < 0 && errno != EINTR && errno != EAGAIN) {
        log_.error(std::string("read from stdin failed: ") + std::strerror(errno));
        input.end();
        run_before_sleep_hooks();
        stop = true;
        status = 1;
      }
    }
  }
  return drain_output(signalled) ? status : 1;
}

}  // namespace vckv
