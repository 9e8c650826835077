#include "vckv/runtime/heap_trim.hpp"

#include <algorithm>
#include <string>

#if defined(__has_include)
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
#endif

// malloc_trim and mallinfo2 are glibc's (mallinfo2 since 2.33); a sanitizer replaces malloc
// with its own, which neither describes.
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 33)
#define VCKV_HEAP_TRIM 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#undef VCKV_HEAP_TRIM
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#undef VCKV_HEAP_TRIM
#endif
#endif

namespace vckv {

bool HeapTrimmer::supported() {
#ifdef VCKV_HEAP_TRIM
  return true;
#else
  return false;
#endif
}

std::size_t HeapTrimmer::free_bytes() {
#ifdef VCKV_HEAP_TRIM
  const struct mallinfo2 info = mallinfo2();
  return info.fordblks;
#else
  return 0;
#endif
}

HeapTrimmer::HeapTrimmer(Scheduler& scheduler, Logger& log, HeapTrimOptions options)
    : scheduler_(scheduler), log_(log), options_(options) {
  if (!supported()) return;
  low_ = last_free_ = free_bytes();
  timer_ = scheduler_.add_timer(options_.period_ms, [this](std::int64_t) {
    check();
    return options_.period_ms;
  });
}

HeapTrimmer::~HeapTrimmer() {
  if (timer_ != 0) scheduler_.cancel_timer(timer_);
}

bool HeapTrimmer::check() {
#ifdef VCKV_HEAP_TRIM
  const std::size_t free_now = free_bytes();
  low_ = std::min(low_, free_now);
  const std::size_t grown = free_now - low_;
  const bool quiet = free_now == last_free_;  // nothing allocated or freed since the last look
  last_free_ = free_now;
  // Past min_free_bytes at once; the last of a wave of frees (less) once the heap is quiet.
  if (grown < options_.min_free_bytes && !(quiet && grown >= options_.min_free_bytes / 4)) {
    return false;
  }
  const std::int64_t started = scheduler_.now_ms();
  malloc_trim(0);
  ++trims_;
  low_ = free_now;
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("gave " + std::to_string(free_now >> 20) + " MiB of freed memory back (" +
               std::to_string(scheduler_.now_ms() - started) + " ms)");
  }
  return true;
#else
  return false;
#endif
}

}  // namespace vckv
