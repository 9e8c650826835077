#include "vckv/node/command_line.hpp"

#include <gtest/gtest.h>

namespace vckv {
namespace {

TEST(CommandLineTest, DefaultsAreTheDocumentedOnes) {
  const CommandLine c = read_command_line({});
  ASSERT_TRUE(c.options);
  EXPECT_EQ(c.options->node.max_siblings, 100u);
  EXPECT_EQ(c.options->node.codec.max_clock_entries, 1024u);
  EXPECT_EQ(c.options->max_line_bytes, 16u << 20);
  EXPECT_EQ(c.options->log_level, LogLevel::kInfo);
  EXPECT_EQ(c.options->node.replication.sync_interval_ms, 100);
  EXPECT_EQ(c.options->node.replication.anti_entropy_interval_ms, 1000);
  EXPECT_EQ(c.options->node.replication.request_timeout_ms, 1000);
  EXPECT_EQ(c.options->node.write_quorum, 1u);
  EXPECT_EQ(c.options->node.read_quorum, 1u);
  EXPECT_EQ(c.options->node.replication.max_message_bytes, 16u << 20);
  EXPECT_EQ(c.options->node.replication.sync_batch_keys, 256u);
  EXPECT_TRUE(c.options->node.replication.enabled);
  EXPECT_EQ(c.options->loop.busy_poll_us, 0);
}

TEST(CommandLineTest, EveryOptionReachesItsField) {
  const CommandLine c = read_command_line(
      {"--max-siblings", "3", "--max-clock-entries=8", "--max-line-bytes", "4096", "--log-level",
       "debug", "--sync-interval-ms", "250", "--anti-entropy-interval-ms", "700", "--sync-batch",
       "9", "--busy-poll-us", "50", "--debug-no-replication", "--write-quorum", "3",
       "--read-quorum=2", "--request-timeout-ms", "1500"});
  ASSERT_TRUE(c.options) << c.text;
  EXPECT_EQ(c.options->node.max_siblings, 3u);
  EXPECT_EQ(c.options->node.codec.max_clock_entries, 8u);
  EXPECT_EQ(c.options->max_line_bytes, 4096u);
  EXPECT_EQ(c.options->log_level, LogLevel::kDebug);
  EXPECT_EQ(c.options->node.replication.sync_interval_ms, 250);
  EXPECT_EQ(c.options->node.replication.anti_entropy_interval_ms, 700);
  EXPECT_EQ(c.options->node.replication.max_message_bytes, 4096u);  // the line limit
  EXPECT_EQ(c.options->node.write_quorum, 3u);
  EXPECT_EQ(c.options->node.read_quorum, 2u);
  EXPECT_EQ(c.options->node.replication.request_timeout_ms, 1500);
  EXPECT_EQ(c.options->node.replication.sync_batch_keys, 9u);
  EXPECT_EQ(c.options->loop.busy_poll_us, 50);
  EXPECT_FALSE(c.options->node.replication.enabled);
}

TEST(CommandLineTest, ABadArgumentIsAnErrorThatSaysWhatWasWrong) {
  const CommandLine c = read_command_line({"--max-siblings", "zero"});
  EXPECT_FALSE(c.options);
  EXPECT_TRUE(c.text_is_error);
  EXPECT_NE(c.exit_status, 0);
  EXPECT_NE(c.text.find("--max-siblings"), std::string::npos) << c.text;
  EXPECT_FALSE(read_command_line({"--bogus"}).options);
  EXPECT_FALSE(read_command_line({"--log-level", "loud"}).options);
  EXPECT_FALSE(read_command_line({"--write-quorum", "0"}).options);
}

TEST(CommandLineTest, HelpAndVersionAreTextToPrint) {
  const CommandLine help = read_command_line({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_FALSE(help.text_is_error);
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.text.find("Usage: vclock-kv [OPTIONS]"), std::string::npos) << help.text;
  const CommandLine version = read_command_line({"--version"});
  EXPECT_EQ(version.text, "vclock-kv 0.1.0\n");
}

}  // namespace
}  // namespace vckv
