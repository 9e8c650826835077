// history.jsonl and history.txt: every client operation's invocation and completion, and every
// nemesis event, in time order, streamed to disk as they happen.
//
// history.jsonl, one object per line (time_ms since the start of the run):
//   {"index":7,"type":"invoke","process":"c3","f":"put","key":5,"node":"n2","time_ms":812.408,
//    "request":{"type":"kv_put","key":5,"value":"c3-4","clock":[0,0,4],"msg_id":3}}
//   {"index":7,"type":"ok","process":"c3","f":"put","key":5,"node":"n2","time_ms":812.512,
//    "latency_ms":0.104,"outcome":"conflict","status":"conflict","siblings":2,
//    "reply":{"type":"kv_put_ok","in_reply_to":3,"status":"conflict","siblings":2,"msg_id":9}}
//   {"type":"info","process":"nemesis","f":"partition","value":"halves: n1 n2 | n3","time_ms":5004.2}
// A completion's type is Jepsen's ok/fail/info; outcome is ok, conflict, stale, error or
// indeterminate; reply is the node's whole reply body (null when none came in time).
// history.txt has the same events, one condensed line each.
//
// history.edn has them as Jepsen's history, one map per line, for Jepsen's own tools:
//   {:type :invoke, :f :write, :value [5 "c3-4"], :process 3, :time 812408000, :index 14, :node "n2"}
//   {:type :ok, :f :write, :value [5 "c3-4"], :process 3, :time 812512000, :index 15, :node "n2",
//    :status "conflict"}
//   {:type :ok, :f :read, :value [5 ["c3-4" "c1-2"]], :process 1, ...}
//   {:type :info, :f :partition, :value "halves: n1 n2 | n3", :process :nemesis, :time 5004200000, :index 40}
// :f is :read (get), :write (put) or :resolve; :value is [key value] (a read's value is the
// vector of sibling values it returned, nil in its invocation); :process the client's number;
// :time nanoseconds since the start of the run; :index the event's position in the file; a
// fail or info completion has :error (the status: "stale", "error 11", "timeout").
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "model/check/outcome.hpp"
#include "model/workload/operation.hpp"

namespace vckv::reports {

// The events, as `test` and `repl` write them. A completion's `siblings` is the number of
// values a get returned, or the `siblings` of a conflict; -1 leaves it out.
nlohmann::json invoke_event(std::uint64_t index, const std::string& process, const std::string& f,
                            const nlohmann::json& key, const std::string& node, double time_ms,
                            nlohmann::json request);
nlohmann::json completion_event(std::uint64_t index, const std::string& process, const std::string& f,
                                const nlohmann::json& key, const std::string& node, double time_ms,
                                double latency_ms, const model::Classified& outcome, const nlohmann::json* reply,
                                int siblings);
// f: partition, heal, kill, restart, pause, resume, final-heal; value may be empty.
nlohmann::json nemesis_event(const std::string& f, const std::string& value, double time_ms);

// The history.txt line for one history.jsonl event (no trailing newline).
std::string history_text(const nlohmann::json& event);

// A JSON value as EDN: null nil, strings quoted with Clojure's escapes, arrays vectors, objects
// maps with string keys.
std::string json_to_edn(const nlohmann::json& value);

// The history.edn line for one history.jsonl event at position `index` (no trailing newline). A
// completion's value is its reply's values (a get), else the event's "request_value" (the
// writer adds the value its invocation wrote).
std::string history_edn(const nlohmann::json& event, std::uint64_t index);

class HistoryWriter {
 public:
  // Opens <dir>/history.jsonl, history.txt and history.edn; an empty dir writes nothing.
  explicit HistoryWriter(const std::string& dir);
  void write(const nlohmann::json& event);
  void close();

 private:
  std::ofstream jsonl_, txt_, edn_;
  std::uint64_t events_ = 0;
  std::map<std::uint64_t, nlohmann::json> written_;  // the value of each write still open, by op index
  bool open_ = false;
};

}  // namespace vckv::reports
