#include "vckv/storage/posix_file_system.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace vckv {
namespace {

// A fresh directory under the system's temporary directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vckv-fs-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(PosixFileSystemTest, AppendsSyncsRenamesAndLists) {
  TempDir tmp;
  PosixFileSystem fs;
  const std::string dir = tmp.path() + "/data/n1";
  ASSERT_TRUE(fs.create_dirs(dir).ok());
  ASSERT_TRUE(fs.create_dirs(dir).ok());  // exists: fine
  {
    auto f = fs.open_append(dir + "/log");
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f.value()->append("hello ").ok());
    ASSERT_TRUE(f.value()->append("world").ok());
    EXPECT_EQ(f.value()->size(), 11u);
    auto synced = f.value()->sync();
    ASSERT_TRUE(synced.ok());
    EXPECT_GE(synced.value().latency_us, 0);
  }
  auto again = fs.open_append(dir + "/log");
  EXPECT_EQ(again.value()->size(), 11u);
  ASSERT_TRUE(again.value()->append("!").ok());
  EXPECT_EQ(fs.read_file(dir + "/log").value(), "hello world!");
  EXPECT_EQ(fs.read_range(dir + "/log", 6, 5).value(), "world");
  EXPECT_EQ(fs.read_range(dir + "/log", 50, 5).value(), "");
  EXPECT_EQ(fs.file_size(dir + "/log").value(), 12u);
  ASSERT_TRUE(fs.truncate(dir + "/log", 5).ok());
  ASSERT_TRUE(fs.rename(dir + "/log", dir + "/log2").ok());
  ASSERT_TRUE(fs.sync_dir(dir).ok());
  EXPECT_EQ(fs.read_file(dir + "/log2").value(), "hello");
  EXPECT_EQ(fs.list_dir(dir).value(), (std::vector<std::string>{"log2"}));
  ASSERT_TRUE(fs.remove(dir + "/log2").ok());
  const IoResult<std::string> missing = fs.read_file(dir + "/log2");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "open " + dir + "/log2: No such file or directory");
  EXPECT_FALSE(fs.list_dir(tmp.path() + "/nope").ok());
}

// flock locks belong to the open file: a second lock is refused even in the same process, and
// the refusal names the holder's pid from the file.
TEST(PosixFileSystemTest, SecondLockIsRefusedNamingTheHolder) {
  TempDir tmp;
  PosixFileSystem fs;
  const std::string lock = tmp.path() + "/LOCK";
  auto first = fs.lock_file(lock);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(fs.read_file(lock).value(), std::to_string(::getpid()) + "\n");
  auto second = fs.lock_file(lock);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), lock + " is locked by process " + std::to_string(::getpid()));
  first.value().reset();
  EXPECT_TRUE(fs.lock_file(lock).ok());
}

}  // namespace
}  // namespace vckv
