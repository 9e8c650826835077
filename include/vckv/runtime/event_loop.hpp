// The single-threaded event loop: poll(2) on stdin (and on stdout while output is pending),
// plus timers and before-sleep hooks (the Scheduler it offers the units it runs). Nothing in
// it blocks except poll itself; every byte of output produced by the input read so far is
// written before poll waits again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/runtime/log.hpp"
#include "vckv/runtime/scheduler.hpp"

namespace vckv {

// Splits a byte stream into lines. Pure logic: bytes in, callbacks out.
// - '\n' ends a line; one '\r' before it is dropped; a line of only whitespace is skipped.
// - Lines are numbered from 1, counting every line, blank or skipped.
// - A line longer than max_line_bytes is never buffered whole: its first bytes are dropped as
//   soon as the limit is passed, the rest is counted as it streams by, and on_overlong reports
//   it once its end is seen (or at end of input).
// - At end of input a final line without '\n' is handled like any other.
// - It can pause between two lines: after each line it asks pause(), and when that says yes it
//   keeps the rest of what it was fed, unhandled (a copy: at most one read's worth), until
//   resume(). The node pauses so while too much of its output is unwritten.
class LineFramer {
 public:
  using LineFn = std::function<void(std::string_view line, std::uint64_t line_number)>;
  using OverlongFn = std::function<void(std::uint64_t line_number, std::uint64_t bytes)>;
  using PauseFn = std::function<bool()>;

  LineFramer(std::size_t max_line_bytes, LineFn on_line, OverlongFn on_overlong,
             PauseFn pause = nullptr);

  // Handles the lines bytes completes; while held(), they only join what waits (a caller
  // reads no more meanwhile).
  void feed(std::string_view bytes);
  // Whether bytes fed wait unhandled after a pause.
  bool held() const { return held_from_ < held_.size(); }
  // Handles what waits, pausing again if pause() says so.
  void resume();
  void finish();  // end of input (what waits is handled first, without pausing)

  // Bytes of an unfinished line held right now (never more than max_line_bytes).
  std::size_t buffered() const { return partial_.size(); }

 private:
  void emit(std::string_view line);
  // Handles the lines in bytes; returns what is left unhandled after a pause (else empty).
  std::string_view run(std::string_view bytes);

  std::size_t max_line_bytes_;
  LineFn on_line_;
  OverlongFn on_overlong_;
  PauseFn pause_;
  std::string held_;              // bytes fed and not handled yet, from held_from_ on
  std::size_t held_from_ = 0;
  std::string partial_;           // the unfinished line, when it is not being skipped
  bool skipping_ = false;         // inside a line longer than the limit
  std::uint64_t skipped_bytes_ = 0;
  std::uint64_t line_number_ = 0;  // of the last line finished
};

// Milliseconds on a monotonic clock.
std::int64_t monotonic_ms();

struct EventLoopOptions {
  int in_fd = 0;
  int out_fd = 1;
  std::size_t read_chunk_bytes = 256 * 1024;
  // The most input one turn reads: after a read that filled the chunk, the loop reads again
  // at once while more input is already waiting (poll with no timeout), up to this many bytes,
  // before the turn's hooks and writes. The node raises it under --data-dir --fsync batch, where
  // each turn costs one fdatasync: bulk input then pays one per this many bytes, not one per
  // chunk. Interactive input (one short read) is unaffected.
  std::size_t max_turn_input_bytes = 256 * 1024;
  // The budget of unwritten output (--max-output-bytes): no input is read, and input read
  // already is held unhandled (Input::held), while this much output waits for its reader.
  std::size_t max_pending_output = 32u << 20;
  // After end of input or a stop signal, how long the loop goes on writing what is queued:
  // at a signal this long at most; at end of input until the reader has taken nothing for this
  // long. A second signal ends it at once.
  std::int64_t drain_ms = 10000;
  // After input was handled, keep checking for more (poll with no timeout, yielding the CPU
  // between checks) for this many microseconds before sleeping in poll. A client that sends its
  // next request within that window finds the node awake, which saves the wake-up of a sleeping
  // process (tens of µs on a VM) at the cost of up to this much CPU per burst of input. A due
  // timer cuts the window short. 0: always sleep at once.
  std::int64_t busy_poll_us = 0;
};

// One turn: run the due timers, then the before-sleep hooks, then write what output can be
// written, then wait in poll for input, output room, a signal or the next timer.
class EventLoop : public Scheduler {
 public:
  // Called with each chunk of bytes read; the callee appends output to output().
  using InputFn = std::function<void(std::string_view bytes)>;
  // Called once at end of input, before the last before-sleep hooks and the final flush.
  using EndFn = std::function<void()>;
  // What run() does with input. held and resume may be empty (all input handled at once);
  // otherwise while held() says bytes read wait unhandled, nothing more is read, and resume()
  // is called once the unwritten output is below max_pending_output again.
  struct Input {
    InputFn feed;
    EndFn end;
    std::function<bool()> held;
    std::function<void()> resume;
  };

  EventLoop(EventLoopOptions options, Logger& log);
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Where the units the loop runs append their output; the loop writes it to out_fd.
  std::string& output() { return out_; }
  // Once all output is written, a buffer of more capacity than this is freed.
  static constexpr std::size_t kKeptOutputCapacity = 1u << 20;
  // Bytes of output() not yet written (grows while the reader is slow).
  std::size_t unwritten() const { return out_.size() - out_sent_; }

  std::int64_t now_ms() const override { return monotonic_ms(); }
  TimerId add_timer(std::int64_t delay_ms, TimerFn fn) override;
  void cancel_timer(TimerId id) override;
  void add_before_sleep(std::function<void()> fn) override { hooks_.push_back(std::move(fn)); }

  // Runs until end of input, SIGTERM/SIGINT, or the reader closing stdout; then writes what
  // output is queued (see drain_ms). Returns the exit status: 0 for all three, 1 for an I/O
  // error.
  int run(const Input& input);
  int run(const InputFn& on_input, const EndFn& on_end) { return run(Input{on_input, on_end, {}, {}}); }

 private:
  struct Timer {
    TimerId id;
    std::int64_t due_ms;
    TimerFn fn;
    bool cancelled;
  };

  enum class WriteResult { kDone, kPending, kClosed, kError };
  WriteResult write_pending();
  // At exit: writes what is queued (poll), within options_.drain_ms (see there).
  bool drain_output(bool after_signal);
  void run_due_timers();
  std::int64_t next_timer_delay() const;  // ms until the next timer is due; -1 for none
  void run_before_sleep_hooks();

  EventLoopOptions options_;
  Logger& log_;
  std::string out_;
  std::size_t out_sent_ = 0;  // bytes of out_ already written
  // A linear scan finds the next deadline: a node has a handful of timers, not thousands.
  std::vector<Timer> timers_;
  std::vector<Timer> added_;  // added while timers run: they join timers_ after the pass
  bool running_timers_ = false;
  TimerId next_timer_id_ = 1;
  std::vector<std::function<void()>> hooks_;
  int signal_pipe_[2] = {-1, -1};
  int saved_out_flags_ = -1;  // stdout's flags, when the loop made it non-blocking
};

}  // namespace vckv
