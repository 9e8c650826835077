#include "vckv/node/command_line.hpp"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "node/option_table.hpp"
#include "vckv/node/node.hpp"
#include "vckv/runtime/manual_scheduler.hpp"

namespace vckv {
namespace {

using Reader = CommandLine (*)(const std::vector<std::string>&);

// Everything a reading gives, as one string: the exit status, the text, and every option's
// value read back through the option table (so an option added later is compared too).
std::string render(const CommandLine& c) {
  std::string s = "exit " + std::to_string(c.exit_status) + (c.text_is_error ? " error: " : " text: ") +
                  c.text;
  if (c.options) {
    RunOptions copy = *c.options;
    for (const OptionRow& row : option_rows(copy)) s += " " + row.name + "=" + row.current_text;
  }
  return s;
}

// Both readers of the command line: CLI11's (the CMake build) and the plain one (the
// single-file build). Every test of this suite runs against each.
class CommandLineTest : public testing::TestWithParam<Reader> {
 protected:
  CommandLine read(const std::vector<std::string>& args) { return GetParam()(args); }
};

INSTANTIATE_TEST_SUITE_P(BothReaders, CommandLineTest,
                         testing::Values(&read_command_line, &read_command_line_plain),
                         [](const testing::TestParamInfo<Reader>& reader) {
                           return reader.param == &read_command_line ? std::string("Cli11")
                                                                   : std::string("Plain");
                         });

TEST_P(CommandLineTest, DefaultsAreTheDocumentedOnes) {
  const CommandLine c = read({});
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
  EXPECT_FALSE(c.options->node.replication.debug_accept_any_reply);
  EXPECT_EQ(c.options->loop.busy_poll_us, 0);
}

TEST_P(CommandLineTest, EveryOptionReachesItsField) {
  const CommandLine c = read(
      {"--max-siblings", "3", "--max-clock-entries=8", "--max-line-bytes", "4096", "--log-level",
       "debug", "--sync-interval-ms", "250", "--anti-entropy-interval-ms", "700", "--sync-batch",
       "9", "--busy-poll-us", "50", "--debug-no-replication", "--write-quorum", "3",
       "--read-quorum=2", "--request-timeout-ms", "1500", "--conflict", "lww",
       "--debug-drop-concurrent-on-merge", "--debug-lww-prefer-smaller", "--debug-accept-any-reply"});
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
  EXPECT_TRUE(c.options->node.replication.debug_accept_any_reply);
  EXPECT_EQ(c.options->loop.busy_poll_us, 50);
  EXPECT_FALSE(c.options->node.replication.enabled);
  EXPECT_EQ(c.options->node.conflict.mode, ConflictMode::kLww);
  EXPECT_TRUE(c.options->node.conflict.debug_drop_concurrent_on_merge);
  EXPECT_TRUE(c.options->node.conflict.debug_lww_prefer_smaller);
}

TEST_P(CommandLineTest, TheRingOptionsReachTheirFields) {
  const CommandLine defaults = read({});
  ASSERT_TRUE(defaults.options);
  EXPECT_EQ(defaults.options->node.replicas, 0u);
  EXPECT_EQ(defaults.options->node.vnodes, 64u);
  EXPECT_EQ(defaults.options->node.max_hint_bytes, 67108864u);
  EXPECT_FALSE(defaults.options->node.debug_forget_hints);
  EXPECT_TRUE(defaults.options->node.replication.sloppy_quorum);
  const CommandLine c = read({"--replicas", "3", "--vnodes=16", "--max-hint-bytes", "1000",
                              "--debug-forget-hints", "--sloppy-quorum", "off"});
  ASSERT_TRUE(c.options) << c.text;
  EXPECT_EQ(c.options->node.replicas, 3u);
  EXPECT_EQ(c.options->node.vnodes, 16u);
  EXPECT_EQ(c.options->node.max_hint_bytes, 1000u);
  EXPECT_TRUE(c.options->node.debug_forget_hints);
  EXPECT_FALSE(c.options->node.replication.sloppy_quorum);
  EXPECT_TRUE(read({"--sloppy-quorum=on"}).options->node.replication.sloppy_quorum);
  EXPECT_EQ(read({"--sloppy-quorum", "maybe"}).exit_status, kExitBadValue);
  EXPECT_TRUE(defaults.options->node.replication.delta_syncs);
  EXPECT_FALSE(read({"--delta-syncs", "off"}).options->node.replication.delta_syncs);
  EXPECT_TRUE(read({"--delta-syncs=on"}).options->node.replication.delta_syncs);
  EXPECT_EQ(read({"--delta-syncs", "sometimes"}).exit_status, kExitBadValue);
  EXPECT_EQ(read({"--vnodes", "0"}).exit_status, kExitBadValue);
}

TEST_P(CommandLineTest, TheCompactionFloorIsGivenInMebibytes) {
  const CommandLine defaults = read({});
  ASSERT_TRUE(defaults.options);
  EXPECT_EQ(defaults.options->node.durability.compaction_min_mb, 16u);
  EXPECT_EQ(defaults.options->node.durability.store.compaction_min_bytes, 16u << 20);
  const CommandLine c = read({"--data-dir", "/tmp/x", "--compaction-min-mb", "64"});
  ASSERT_TRUE(c.options) << c.text;
  EXPECT_EQ(c.options->node.durability.store.compaction_min_bytes, std::uint64_t{64} << 20);
  EXPECT_EQ(read({"--compaction-min-mb=1"}).options->node.durability.store.compaction_min_bytes,
            1u << 20);
  const CommandLine zero = read({"--compaction-min-mb", "0"});
  EXPECT_EQ(zero.exit_status, kExitBadValue);
  EXPECT_NE(zero.text.find("--compaction-min-mb"), std::string::npos) << zero.text;
  EXPECT_EQ(read({"--compaction-min-mb", "65537"}).exit_status, kExitBadValue);
}

TEST_P(CommandLineTest, ABadArgumentIsAnErrorThatSaysWhatWasWrong) {
  const CommandLine c = read({"--max-siblings", "zero"});
  EXPECT_FALSE(c.options);
  EXPECT_TRUE(c.text_is_error);
  EXPECT_EQ(c.exit_status, kExitBadValue);
  EXPECT_EQ(c.text,
            "--max-siblings: Value zero not in range 1 to 4294967296\n"
            "Run with --help for more information.\n");
  EXPECT_EQ(read({"--bogus", "x"}).text,
            "The following arguments were not expected: --bogus x\n"
            "Run with --help for more information.\n");
  EXPECT_EQ(read({"--log-level", "loud"}).text,
            "--log-level: loud not in {error,warn,info,debug}\n"
            "Run with --help for more information.\n");
  EXPECT_EQ(read({"--sync-batch"}).text,
            "--sync-batch: 1 required UINT missing\nRun with --help for more information.\n");
  EXPECT_EQ(read({"--sync-batch", "1", "--sync-batch=2"}).text,
            "--sync-batch: At Most 1 required but received 2\n"
            "Run with --help for more information.\n");
  EXPECT_EQ(read({"--debug-no-replication=no"}).exit_status, kExitWrongValueCount);
  EXPECT_EQ(read({"--write-quorum", "0"}).exit_status, kExitBadValue);
  EXPECT_EQ(read({"--conflict", "first"}).text,
            "--conflict: first not in {siblings,lww}\nRun with --help for more information.\n");
}

// Numbers are decimal digits: no sign, space, base prefix or exponent (CLI11's own conversion
// would take " 3", "+3" and "0x10", and read "010" as octal).
TEST_P(CommandLineTest, NumbersAreDecimalDigitsOnly) {
  EXPECT_EQ(read({"--max-siblings", "010"}).options->node.max_siblings, 10u);
  EXPECT_EQ(read({"--max-siblings=4294967296"}).options->node.max_siblings, 4294967296u);
  for (const char* refused : {"0x10", " 3", "3 ", "+3", "-1", "3.0", "1e3", "", "0",
                              "4294967297", "18446744073709551616", "99999999999999999999999"}) {
    EXPECT_EQ(read({"--max-siblings", refused}).exit_status, kExitBadValue) << refused;
  }
  EXPECT_EQ(read({"--busy-poll-us", "0"}).options->loop.busy_poll_us, 0);
  EXPECT_EQ(read({"--busy-poll-us", "-0"}).exit_status, kExitBadValue);
}

TEST_P(CommandLineTest, HelpAndVersionAreTextToPrint) {
  const CommandLine help = read({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_FALSE(help.text_is_error);
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.text.find("Usage: vclock-kv [OPTIONS]"), std::string::npos) << help.text;
  EXPECT_EQ(read({"--max-siblings", "zero", "-h"}).text, help.text);  // help wins
  const CommandLine version = read({"--version"});
  EXPECT_EQ(version.text, "vclock-kv 0.1.0\n");
  EXPECT_EQ(read({"--", "--help"}).exit_status, kExitUnexpectedArgument);  // no option after --
}

// --help lists every option of the table once, in table order, with its default.
TEST_P(CommandLineTest, HelpListsEveryOptionOnceInTableOrder) {
  const std::string help = read({"--help"}).text;
  RunOptions defaults;
  std::size_t at = 0;
  for (const OptionRow& row : option_rows(defaults)) {
    // (A name too wide for its column has its help on the next line.)
    const std::string line =
        "\n  " + row.name +
        (row.is_flag() ? "" : " " + row.value_name + ":" + row.constraint + "=" + row.current_text);
    std::size_t found = help.find(line, at);
    while (found != std::string::npos && help[found + line.size()] != ' ' &&
           help[found + line.size()] != '\n') {
      found = help.find(line, found + 1);
    }
    ASSERT_NE(found, std::string::npos) << line << " missing or out of order in\n" << help;
    EXPECT_EQ(help.find(line + (row.is_flag() ? " " : ""), found + 1), std::string::npos)
        << line << " twice";
    EXPECT_NE(help.find(row.help, found), std::string::npos) << row.help;
    at = found;
  }
}

// The two readers give the same result (options, text, exit status) for every argument list:
// the ones people type and their mistakes, then random lists of option names, values and junk.
TEST(CommandLineReadersTest, AgreeOnTheseCommandLines) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--max-siblings", "3"},
      {"--max-siblings=3", "--log-level=debug", "--debug-no-replication"},
      {"--max-siblings"},
      {"--max-siblings="},
      {"--max-siblings=", "5"},
      {"--max-siblings", "--log-level", "debug"},
      {"--max-siblings", "3", "--max-siblings", "4"},
      {"--max-siblings", "x", "--max-siblings", "4"},
      {"--max-siblings", "3", "extra"},
      {"--bogus"},
      {"--max-sib", "3"},
      {"-x"},
      {"-5"},
      {"---max-siblings", "3"},
      {"--=3"},
      {"--"},
      {"--", "--max-siblings", "3"},
      {"--max-siblings", "--", "4"},
      {"--max-siblings", "--help"},
      {"--help", "--version"},
      {"--version", "--help"},
      {"--bogus", "--version"},
      {"--help=1"},
      {"--debug-no-replication=true"},
      {"--debug-no-replication={}"},
      {"--debug-no-replication="},
      {"--debug-no-replication=false"},
      {"--debug-no-replication", "--debug-no-replication"},
      {"--debug-no-replication", "yes"},
      {"--log-level", "DEBUG"},
      {"--log-level", "[debug]"},
      {"--log-level", "info", "--log-level", "warn"},
      {"--max-siblings", "x", "--bogus"},
      {"--bogus", "--max-siblings"},
      {"--max-clock-entries", "0", "--max-siblings", "0"},
      {"--max-siblings", "0", "--max-clock-entries", "0"},
      {"--max-line-bytes", "63"},
      {"--max-line-bytes", "1099511627776"},
      {"--busy-poll-us", "1000001"},
      {"--sync-interval-ms", "3600000", "--forward-interval-ms", "1"},
  };
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& a : args) shown += "'" + a + "' ";
    EXPECT_EQ(render(read_command_line_plain(args)), render(read_command_line(args))) << shown;
  }
}

TEST(CommandLineReadersTest, AgreeOnRandomCommandLines) {
  std::vector<std::string> names = {"--help", "-h", "--version", "--bogus", "--max-sib", "-x",
                                    "x", "", "--", "---max-siblings", "--", "-5", "-hx"};
  RunOptions defaults;
  for (const OptionRow& row : option_rows(defaults)) {
    names.push_back(row.name);
    names.push_back(row.name);  // more often than junk
  }
  const std::vector<std::string> values = {
      "3", "0", "1", "64", "100", "4294967296", "4294967297", "18446744073709551616", "010",
      "0x10", " 3", "+3", "-1", "3.0", "", "debug", "info", "loud", "DEBUG", "[1]", "[1,2]",
      "--", "true", "false", "{}", "=", "1000000", "3600000", "1048576"};
  std::mt19937 random(20261123);
  const auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
  };
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::string> args;
    const int n = std::uniform_int_distribution<int>(0, 6)(random);
    for (int j = 0; j < n; ++j) {
      switch (std::uniform_int_distribution<int>(0, 2)(random)) {
        case 0: args.push_back(pick(names)); break;
        case 1: args.push_back(pick(names) + "=" + pick(values)); break;
        default: args.push_back(pick(values)); break;
      }
    }
    const CommandLine plain = read_command_line_plain(args);
    accepted += plain.options.has_value();
    std::string shown;
    for (const auto& a : args) shown += "'" + a + "' ";
    ASSERT_EQ(render(plain), render(read_command_line(args))) << shown;
  }
  EXPECT_GT(accepted, 1000);  // the lists are not all refused
}

// What a person who starts the node on a terminal reads first: one line saying how to begin and
// how to quit. The init request it shows works as shown.
TEST(TerminalHintTest, OneLineWithAnInitThatWorksAndHowToQuit) {
  const std::string hint = terminal_hint();
  EXPECT_EQ(hint,
            "reading requests from the terminal, one JSON object per line; start with "
            R"({"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}})"
            " and end with Ctrl-D (Ctrl-C also quits; --help shows more)");
  const std::size_t start = hint.find('{');
  const std::size_t end = hint.rfind('}');
  ASSERT_NE(start, std::string::npos);
  ManualScheduler scheduler;
  std::ostringstream logs;
  Logger log(logs, LogLevel::kInfo);
  std::string out;
  Node node({}, out, scheduler, log);
  node.handle_line(hint.substr(start, end + 1 - start), 1);
  EXPECT_EQ(out, R"({"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}})"
                 "\n");
}

}  // namespace
}  // namespace vckv
