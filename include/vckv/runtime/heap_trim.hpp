// Gives memory the process has freed back to the operating system.
//
// glibc's malloc keeps what a program frees for reuse and, on its own, returns only the top of
// its heap. After the store shrinks (keys reaped, docs/protocol.md §16, or a burst of output
// written) the freed blocks sit between blocks still in use, and the node's resident size stays
// near its peak. A HeapTrimmer looks every period at how much freed memory malloc holds; once
// that has grown by min_free_bytes since it was lowest (or last trimmed), or by a quarter of that
// and the heap has not changed since the last look, it asks malloc to return every whole free
// page (malloc_trim). Where the C library offers neither (not glibc, or
// a sanitizer's allocator) it does nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vckv/runtime/log.hpp"
#include "vckv/runtime/scheduler.hpp"

namespace vckv {

struct HeapTrimOptions {
  std::int64_t period_ms = 1000;
  std::size_t min_free_bytes = 16u << 20;
};

class HeapTrimmer {
 public:
  // Starts the periodic check on scheduler (nothing when !supported()).
  HeapTrimmer(Scheduler& scheduler, Logger& log, HeapTrimOptions options = {});
  ~HeapTrimmer();
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Whether this build can see malloc's free memory and trim it.
  static bool supported();
  // Bytes malloc holds freed (in use by nobody), 0 where !supported().
  static std::size_t free_bytes();

  // One check, as the timer does it; returns whether it trimmed.
  bool check();
  std::uint64_t trims() const { return trims_; }

 private:
  Scheduler& scheduler_;
  Logger& log_;
  HeapTrimOptions options_;
  Scheduler::TimerId timer_ = 0;
  std::size_t low_ = 0;        // the least free memory seen since the last trim
  std::size_t last_free_ = 0;  // free memory at the last look
  std::uint64_t trims_ = 0;
};

}  // namespace vckv
