#include "vckv/runtime/heap_trim.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "vckv/runtime/manual_scheduler.hpp"

namespace vckv {
namespace {

// This process's resident set, in bytes (VmRSS in /proc/self/status).
std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

TEST(HeapTrimmerTest, GivesBackFreedMemoryLeftBetweenLiveBlocks) {
  if (!HeapTrimmer::supported()) GTEST_SKIP() << "no malloc_trim/mallinfo2 in this build";
  ManualScheduler scheduler;
  std::ostringstream sink;
  Logger log(sink, LogLevel::kDebug);
  HeapTrimmer trimmer(scheduler, log, HeapTrimOptions{100, 8u << 20});

  // 64 MiB in 256-byte blocks; every 64th stays, so each 16 KiB keeps one live block and the
  // top of the heap stays in use: malloc alone returns nothing of what is freed.
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 262144; ++i) {
    blocks.emplace_back(new char[256]);
    std::memset(blocks.back().get(), 1, 256);
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i % 64 != 63) blocks[i].reset();
  }
  const std::size_t before = resident_bytes();
  EXPECT_GE(HeapTrimmer::free_bytes(), std::size_t{48} << 20);

  scheduler.advance_by(100);
  EXPECT_EQ(trimmer.trims(), 1u);
  const std::size_t after = resident_bytes();
  EXPECT_LT(after + (std::size_t{32} << 20), before) << before << " -> " << after;
  EXPECT_NE(sink.str().find("MiB of freed memory back"), std::string::npos) << sink.str();

  // Nothing freed since: no second trim.
  scheduler.advance_by(100);
  EXPECT_EQ(trimmer.trims(), 1u);
}

TEST(HeapTrimmerTest, LeavesAHeapWithLittleFreedAlone) {
  if (!HeapTrimmer::supported()) GTEST_SKIP() << "no malloc_trim/mallinfo2 in this build";
  ManualScheduler scheduler;
  std::ostringstream sink;
  Logger log(sink, LogLevel::kDebug);
  HeapTrimmer trimmer(scheduler, log, HeapTrimOptions{100, 8u << 20});
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 4096; ++i) blocks.emplace_back(new char[256]);
  blocks.clear();  // 1 MiB
  scheduler.advance_by(1000);
  EXPECT_EQ(trimmer.trims(), 0u);
  EXPECT_EQ(sink.str(), "");
}

TEST(HeapTrimmerTest, TrimsTheTailOfAWaveOfFreesOnceTheHeapIsQuiet) {
  if (!HeapTrimmer::supported()) GTEST_SKIP() << "no malloc_trim/mallinfo2 in this build";
  ManualScheduler scheduler;
  std::ostringstream sink;
  Logger log(sink, LogLevel::kDebug);
  HeapTrimmer trimmer(scheduler, log, HeapTrimOptions{100, 16u << 20});
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(32768);
  for (int i = 0; i < 32768; ++i) blocks.emplace_back(new char[256]);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i % 64 != 63) blocks[i].reset();  // about 8.5 MiB with malloc's headers: under min_free_bytes
  }
  scheduler.advance_by(100);  // still changing since the last look
  EXPECT_EQ(trimmer.trims(), 0u);
  scheduler.advance_by(100);  // quiet now, and over a quarter of min_free_bytes
  EXPECT_EQ(trimmer.trims(), 1u);
  scheduler.advance_by(100);
  EXPECT_EQ(trimmer.trims(), 1u);
}

}  // namespace
}  // namespace vckv
