#include "reports/files/run_archive.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>
#include <cctype>

namespace vckv::reports {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

void point_latest(const fs::path& dir, const std::string& target, const std::string& link = "latest") {
  const fs::path latest = dir / link;
  const fs::path tmp = dir / (".latest-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(target, tmp, ec);
  if (!ec) fs::rename(tmp, latest, ec);
  if (ec) fs::remove(tmp, ec);
}

bool looks_like_time(const std::string& name) {
  return name.size() >= 15 && name[8] == 'T' &&
         std::all_of(name.begin(), name.begin() + 8, [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<RunEntry> read_run(const fs::path& store, const fs::path& dir, const std::string& test) {
  const std::string name = dir.filename().string();
  if (!looks_like_time(name) || fs::is_symlink(dir) || !fs::is_directory(dir)) return std::nullopt;
  RunEntry e;
  e.test = test;
  e.time = name;
  e.path = fs::relative(dir, store).generic_string();
  std::ifstream in(dir / "results.json");
  if (in) {
    const json r = json::parse(in, nullptr, false);
    if (r.is_object()) {
      e.verdict = r.value("verdict", "");
      if (r.contains("config") && r["config"].is_object()) {
        const json& c = r["config"];
        std::ostringstream s;
        if (c.value("mode", "") == "repl") {
          s << c.value("node_count", 0) << " nodes, by hand";
        } else {
          s << c.value("node_count", 0) << " nodes, " << c.value("time_limit_s", 0.0) << " s, "
            << c.value("rate", 0.0) << " req/s, nemesis " << c.value("nemesis", "none");
        }
        e.summary = s.str();
      }
    }
  }
  return e;
}

}  // namespace

std::string run_time_name(std::time_t t) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::ostringstream name;
  name << std::put_time(&tm, "%Y%m%dT%H%M%S");
  return name.str();
}

bool valid_test_name(const std::string& name) {
  if (name.empty() || name == "latest" || name[0] == '.' || name.size() > 100) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '+' || c == ',';
  });
}

std::optional<std::string> make_run_dir(const std::string& store, const std::string& test, std::time_t now,
                                        std::string& error, const std::string& store_link) {
  if (!valid_test_name(test)) {
    error = "invalid test name \"" + test + "\" (letters, digits and - _ . + , only)";
    return std::nullopt;
  }
  std::error_code ec;
  const fs::path test_dir = fs::path(store) / test;
  fs::create_directories(test_dir, ec);
  if (ec) {
    error = "cannot create " + test_dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  const std::string base = run_time_name(now);
  std::string name = base;
  for (int i = 2; fs::exists(test_dir / name); ++i) name = base + "-" + std::to_string(i);
  fs::create_directories(test_dir / name / "node-logs", ec);
  if (ec) {
    error = "cannot create " + (test_dir / name).string() + ": " + ec.message();
    return std::nullopt;
  }
  point_latest(test_dir, name);
  point_latest(store, test + "/" + name, store_link);
  return (test_dir / name).string();
}

std::vector<RunEntry> list_runs(const std::string& store) {
  std::vector<RunEntry> runs;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(store, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_symlink() || !entry.is_directory() || name.empty() || name[0] == '.') continue;
    if (auto run = read_run(store, entry.path(), "")) {
      runs.push_back(*run);  // the old flat layout
      continue;
    }
    std::error_code ec2;
    for (const fs::directory_entry& sub : fs::directory_iterator(entry.path(), ec2)) {
      if (auto run = read_run(store, sub.path(), name)) runs.push_back(*run);
    }
  }
  std::sort(runs.begin(), runs.end(), [](const RunEntry& a, const RunEntry& b) {
    return a.time != b.time ? a.time > b.time : a.test < b.test;
  });
  return runs;
}

}  // namespace vckv::reports
