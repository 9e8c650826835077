// What a unit running inside the node's loop may ask of it: the time, timers, and work to do
// once per turn before the loop waits. The event loop (runtime/event_loop.hpp) implements it
// over real time; tests and the cluster simulator implement it over virtual time
// (runtime/manual_scheduler.hpp), so units that take time only from here run the same in both.
#pragma once

#include <cstdint>
#include <functional>

namespace vckv {

class Scheduler {
 public:
  using TimerId = std::uint64_t;
  // Called with the current time; returns the delay in ms until it should run again, or a
  // negative number to stop.
  using TimerFn = std::function<std::int64_t(std::int64_t now_ms)>;

  virtual ~Scheduler() = default;

  // Milliseconds on a monotonic clock.
  virtual std::int64_t now_ms() const = 0;
  // Runs fn once delay_ms have passed (at the earliest on the loop's next turn: a timer added
  // by a timer callback does not run in the same pass). Returns an id for cancel_timer.
  virtual TimerId add_timer(std::int64_t delay_ms, TimerFn fn) = 0;
  // The timer will not run again. Ids of timers that stopped, or were never given, are ignored.
  virtual void cancel_timer(TimerId id) = 0;
  // fn runs once every loop turn, after the turn's input and timers and before the loop waits
  // (and once more after the end of input): the place to flush what handlers queued.
  virtual void add_before_sleep(std::function<void()> fn) = 0;
};

}  // namespace vckv
