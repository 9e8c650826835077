#include "vckv/runtime/log.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace vckv {
namespace {

TEST(LogTest, OneLinePerRecordWithTheNodeName) {
  std::ostringstream sink;
  Logger log(sink, LogLevel::kInfo);
  log.warn("before init");
  log.set_node_id("n1");
  log.info("two\nlines\r");
  log.debug("not written at info level");
  EXPECT_EQ(sink.str(),
            "vclock-kv warn: before init\n"
            "vclock-kv[n1] info: two lines \n");
}

TEST(LogTest, LevelsByName) {
  EXPECT_EQ(parse_log_level("error"), LogLevel::kError);
  EXPECT_EQ(parse_log_level("debug"), LogLevel::kDebug);
  EXPECT_FALSE(parse_log_level("verbose").has_value());
  std::ostringstream sink;
  Logger quiet(sink, LogLevel::kError);
  EXPECT_FALSE(quiet.enabled(LogLevel::kWarn));
  quiet.warn("dropped");
  quiet.error("kept");
  EXPECT_EQ(sink.str(), "vclock-kv error: kept\n");
}

}  // namespace
}  // namespace vckv
