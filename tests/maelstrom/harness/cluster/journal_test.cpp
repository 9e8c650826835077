#include "harness/cluster/journal.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace vckv::harness {
namespace {

using model::Micros;
using reports::Fate;
using reports::InFlight;

InFlight Message(std::uint64_t id, Micros sent, std::string from, std::string to, std::string type) {
  return InFlight{sent + 5000, id, sent, std::move(from), std::move(to), type,
                  R"({"src": "n1", "dest": "n2", "body": {"type": ")" + type + R"(", "msg_id": 3}})" + "\r"};
}

TEST(JournalTest, WritesOneLinePerMessage) {
  const std::string path = ::testing::TempDir() + "journal_test.jsonl";
  {
    Journal j(path);
    j.record(Message(0, 1000, "n1", "n2", "sync"), Fate::kDelivered, 2000, std::nullopt, true);
    j.record(Message(1, 1500, "c1", "n2", "kv_get"), Fate::kDelivered, 1500, std::nullopt, false);
    j.close();
    EXPECT_EQ(j.stats().node_sent(), 1u);
  }
  std::ifstream in(path);
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(reports::parse_journal_line(line, true)) << line;
    ++lines;
  }
  EXPECT_EQ(lines, 2);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vckv::harness
