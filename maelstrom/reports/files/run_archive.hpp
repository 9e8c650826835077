// The run archive: the directory of runs the harness's --store names (Maelstrom calls it the
// store; it has nothing to do with the node's key-value store, src/store/). Every run is in
// <store>/<test-name>/<time>/, with <store>/<test-name>/latest and <store>/latest pointing at the
// newest, as Maelstrom lays it out; repl sessions move <store>/latest-repl instead.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace vckv::reports {

// "20261123T192040" (local time): sortable, and a valid directory name.
std::string run_time_name(std::time_t t);

// Letters, digits, '-', '_', '.', '+' and ','; not empty, not "latest", not starting with '.'.
bool valid_test_name(const std::string& name);

// Creates <store>/<test>/<time>/ (with node-logs/; "-2", "-3"... appended when it exists) and
// points <store>/<test>/latest and <store>/<store_link> at it. Returns the directory, or nullopt
// with `error` set. The repl passes "latest-repl": <store>/latest is the newest test run's.
std::optional<std::string> make_run_dir(const std::string& store, const std::string& test,
                                        std::time_t now, std::string& error,
                                        const std::string& store_link = "latest");

struct RunEntry {
  std::string test;      // "" for a run in the old flat layout <store>/<time>/
  std::string time;      // the run directory's name
  std::string path;      // relative to the store: "kv-partition/20261123T192040"
  std::string verdict;   // from results.json: valid, invalid, unknown; "session" for a repl; "" if none yet
  std::string summary;   // one line: nodes, time limit, nemesis (from results.json's config)
};

// Every run under the store, newest first (by time, then test name).
std::vector<RunEntry> list_runs(const std::string& store);

}  // namespace vckv::reports
