#include "reports/files/run_archive.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vckv::reports {
namespace {

namespace fs = std::filesystem;

fs::path FreshStore(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / name;
  fs::remove_all(p);
  return p;
}

TEST(StoreTest, ExampleRunDirectoryAndLatestLinks) {
  const fs::path store = FreshStore("store_test_layout");
  std::string error;
  const std::time_t t = 1700000000;
  auto dir = make_run_dir(store.string(), "kv-partition", t, error);
  ASSERT_TRUE(dir) << error;
  EXPECT_EQ(fs::path(*dir), store / "kv-partition" / run_time_name(t));
  EXPECT_TRUE(fs::is_directory(fs::path(*dir) / "node-logs"));
  EXPECT_EQ(fs::read_symlink(store / "latest"), fs::path("kv-partition") / run_time_name(t));
  EXPECT_EQ(fs::read_symlink(store / "kv-partition" / "latest"), fs::path(run_time_name(t)));
  // The same second again: a second directory, and latest moves to it.
  auto again = make_run_dir(store.string(), "kv-partition", t, error);
  ASSERT_TRUE(again);
  EXPECT_EQ(fs::path(*again).filename().string(), run_time_name(t) + "-2");
  EXPECT_EQ(fs::canonical(store / "latest"), fs::canonical(*again));
  fs::remove_all(store);
}

TEST(StoreTest, AReplSessionLeavesLatestAtTheLastTestRun) {
  const fs::path store = FreshStore("store_test_repl_latest");
  std::string error;
  auto run = make_run_dir(store.string(), "kv-partition", 1700000000, error);
  ASSERT_TRUE(run) << error;
  auto session = make_run_dir(store.string(), "repl", 1700000100, error, "latest-repl");
  ASSERT_TRUE(session) << error;
  EXPECT_EQ(fs::canonical(store / "latest"), fs::canonical(*run));
  EXPECT_EQ(fs::canonical(store / "latest-repl"), fs::canonical(*session));
  EXPECT_EQ(fs::canonical(store / "repl" / "latest"), fs::canonical(*session));
  EXPECT_EQ(list_runs(store.string()).size(), 2u);  // the links are not runs
  fs::remove_all(store);
}

TEST(StoreTest, TestNames) {
  EXPECT_TRUE(valid_test_name("kv-kill+pause"));
  EXPECT_TRUE(valid_test_name("my_test.2"));
  EXPECT_FALSE(valid_test_name(""));
  EXPECT_FALSE(valid_test_name("latest"));
  EXPECT_FALSE(valid_test_name("../x"));
  EXPECT_FALSE(valid_test_name("a b"));
  std::string error;
  EXPECT_FALSE(make_run_dir(FreshStore("store_test_bad").string(), "a/b", 0, error));
  EXPECT_NE(error.find("invalid test name"), std::string::npos);
}

TEST(StoreTest, ListsRunsNewestFirstWithVerdicts) {
  const fs::path store = FreshStore("store_test_list");
  std::string error;
  auto old_run = make_run_dir(store.string(), "kv-none", 1700000000, error);
  auto new_run = make_run_dir(store.string(), "kv-partition", 1700000100, error);
  auto session = make_run_dir(store.string(), "repl", 1700000050, error);
  std::ofstream(*old_run + "/results.json")
      << R"({"verdict": "invalid", "config": {"node_count": 3, "time_limit_s": 6, "rate": 60, "nemesis": "none"}})";
  std::ofstream(*new_run + "/results.json") << R"({"verdict": "valid", "config": {"node_count": 5}})";
  std::ofstream(*session + "/results.json") << R"({"verdict": "session", "config": {"mode": "repl", "node_count": 3}})";
  fs::create_directories(store / "20230101T000000");  // the old flat layout
  const auto runs = list_runs(store.string());
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].test, "kv-partition");
  EXPECT_EQ(runs[0].verdict, "valid");
  EXPECT_EQ(runs[1].test, "repl");
  EXPECT_EQ(runs[1].summary, "3 nodes, by hand");
  EXPECT_EQ(runs[2].verdict, "invalid");
  EXPECT_EQ(runs[2].summary, "3 nodes, 6 s, 60 req/s, nemesis none");
  EXPECT_EQ(runs[2].path, "kv-none/" + run_time_name(1700000000));
  EXPECT_EQ(runs[3].test, "");
  EXPECT_EQ(runs[3].verdict, "");
  fs::remove_all(store);
}

}  // namespace
}  // namespace vckv::reports
