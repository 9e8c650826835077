#include "reports/explain_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vckv::reports {
namespace {

// A stored run of one key: a read, two writes that both followed it (a client that retried
// with a new value), a read no write followed, and a final state with two siblings.
std::string write_run() {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("vckv-stories-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/final-state.json")
      << R"({"taken_at_ms": 9000.0, "nodes": ["n1","n2"], "keys": [)" "\n"
      << R"(  {"agree":true,"by_node":{"n1":[{"clock":[1,0],"value":"a"},{"clock":[0,1],"value":"b"}],"n2":[{"clock":[1,0],"value":"a"},{"clock":[0,1],"value":"b"}]},"key":7,"siblings":2})" "\n"
      << "]}\n";
  std::ofstream(dir + "/history.jsonl")
      << R"({"f":"get","index":1,"key":7,"node":"n1","process":"c1","request":{"key":7,"msg_id":1,"type":"kv_get"},"time_ms":10.0,"type":"invoke"})" "\n"
      << R"({"f":"get","index":1,"key":7,"node":"n1","outcome":"ok","process":"c1","reply":{"type":"kv_get_ok","values":[{"value":"z","clock":[0,0]}]},"status":"ok","time_ms":11.0,"type":"ok"})" "\n"
      << R"({"f":"put","index":2,"key":7,"node":"n1","process":"c1","read_index":1,"request":{"clock":[1,0],"key":7,"type":"kv_put","value":"a"},"time_ms":12.0,"type":"invoke"})" "\n"
      << R"({"f":"put","index":2,"key":7,"node":"n1","outcome":"ok","process":"c1","reply":{"status":"written","type":"kv_put_ok"},"status":"written","time_ms":13.0,"type":"ok"})" "\n"
      << R"({"f":"put","index":3,"key":7,"node":"n2","process":"c1","read_index":1,"request":{"clock":[0,1],"key":7,"type":"kv_put","value":"b"},"time_ms":14.0,"type":"invoke"})" "\n"
      << R"({"f":"put","index":3,"key":7,"node":"n2","outcome":"ok","process":"c1","reply":{"status":"conflict","type":"kv_put_ok"},"status":"conflict","time_ms":15.0,"type":"ok"})" "\n"
      << R"({"f":"get","index":4,"key":7,"node":"n2","process":"c2","request":{"key":7,"msg_id":2,"type":"kv_get"},"time_ms":16.0,"type":"invoke"})" "\n"
      << R"({"f":"get","index":4,"key":7,"node":"n2","outcome":"ok","process":"c2","reply":{"type":"kv_get_ok","values":[]},"status":"ok","time_ms":17.0,"type":"ok"})" "\n";
  return dir;
}

// Each write keeps the read it followed, also when two writes followed one read (the stories
// move each read into the last write that took it).
TEST(ExplainStoreTest, WritesThatFollowedOneReadBothKeepIt) {
  const std::string dir = write_run();
  std::string error;
  const auto stories = load_stories(dir, {}, error);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(stories) << error;
  ASSERT_EQ(stories->stories.size(), 1u);
  const KeyStory& story = stories->stories[0];
  EXPECT_EQ(story.key, "7");
  ASSERT_EQ(story.writes.size(), 2u);
  for (const ExplainWrite& w : story.writes) {
    ASSERT_TRUE(w.basis.has_value()) << w.value;
    EXPECT_EQ(w.basis->node, "n1");
    EXPECT_EQ(w.basis->complete_ms, 11.0);
    ASSERT_EQ(w.basis->values.size(), 1u);
    EXPECT_EQ(w.basis->values[0].value, "\"z\"");
  }
  EXPECT_EQ(story.writes[0].value, "\"a\"");
  EXPECT_EQ(story.writes[1].value, "\"b\"");
  ASSERT_EQ(story.final_by_node.size(), 2u);
  EXPECT_EQ(story.final_by_node.at("n2").size(), 2u);
}

}  // namespace
}  // namespace vckv::reports
