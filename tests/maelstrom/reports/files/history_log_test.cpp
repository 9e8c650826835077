#include "reports/files/history_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vckv::reports {
namespace {

using json = nlohmann::json;

TEST(HistoryTextTest, ExampleInvokeAndCompletions) {
  const json invoke = json::parse(R"({"index":7,"type":"invoke","process":"c3","f":"put","key":5,"node":"n2",
      "time_ms":812.408,"request":{"type":"kv_put","key":5,"value":"c3-4","clock":[0,0,4],"msg_id":3}})");
  EXPECT_EQ(history_text(invoke), "     812.408 c3       invoke put        key 5 \"c3-4\" [0, 0, 4] at n2");
  const json conflict = json::parse(R"({"index":7,"type":"ok","process":"c3","f":"put","key":5,"node":"n2",
      "time_ms":812.512,"latency_ms":0.104,"outcome":"conflict","status":"conflict","siblings":2,
      "reply":{"type":"kv_put_ok","in_reply_to":3,"status":"conflict","siblings":2,"msg_id":9}})");
  EXPECT_EQ(history_text(conflict), "     812.512 c3       ok     put        key 5 conflict, 2 siblings (0.104 ms)");
}

TEST(HistoryEventTest, ExampleCompletionCarriesTheWholeReply) {
  const json reply = json::parse(R"({"type":"kv_put_ok","in_reply_to":3,"status":"conflict","siblings":2,"msg_id":9})");
  const json e = completion_event(7, "c3", "put", 5, "n2", 812.5124, 0.1041,
                                  model::classify(model::OpKind::kPut, model::reply_facts(&reply)), &reply, 2);
  EXPECT_EQ(e.dump(), R"({"f":"put","index":7,"key":5,"latency_ms":0.104,"node":"n2","outcome":"conflict",)"
                      R"("process":"c3","reply":{"in_reply_to":3,"msg_id":9,"siblings":2,"status":"conflict",)"
                      R"("type":"kv_put_ok"},"siblings":2,"status":"conflict","time_ms":812.512,"type":"ok"})");
  const json timeout = completion_event(8, "c3", "get", 5, "n2", 1000, 1000, model::classify(model::OpKind::kGet, model::reply_facts(nullptr)),
                                        nullptr, -1);
  EXPECT_EQ(timeout.dump(), R"({"f":"get","index":8,"key":5,"latency_ms":1000.0,"node":"n2",)"
                            R"("outcome":"indeterminate","process":"c3","reply":null,"status":"timeout",)"
                            R"("time_ms":1000.0,"type":"info"})");
  EXPECT_EQ(invoke_event(9, "c1", "get", "x", "n1", 1.5, json::parse(R"({"type":"kv_get","key":"x"})")).dump(),
            R"({"f":"get","index":9,"key":"x","node":"n1","process":"c1","request":{"key":"x","type":"kv_get"},)"
            R"("time_ms":1.5,"type":"invoke"})");
  EXPECT_EQ(nemesis_event("kill", "n2", 3000.5).dump(),
            R"({"f":"kill","process":"nemesis","time_ms":3000.5,"type":"info","value":"n2"})");
}

TEST(HistoryTextTest, GetShowsTheValuesAndClocksRead) {
  const json get = json::parse(R"({"index":8,"type":"ok","process":"c1","f":"get","key":"x","node":"n1",
      "time_ms":1000,"latency_ms":0.05,"outcome":"ok","status":"ok","siblings":2,
      "reply":{"type":"kv_get_ok","values":[{"value":"a","clock":[1,0]},{"value":{"b":1},"clock":[0,1]}]}})");
  EXPECT_EQ(history_text(get),
            "    1000.000 c1       ok     get        key \"x\" 2 siblings: \"a\" [1, 0] | {\"b\":1} [0, 1] (0.050 ms)");
}

TEST(HistoryTextTest, ErrorsTimeoutsAndNemesis) {
  const json error = json::parse(R"({"index":9,"type":"fail","process":"c2","f":"get","key":1,"node":"n3",
      "time_ms":5,"latency_ms":0.2,"outcome":"error","status":"error 11",
      "reply":{"type":"error","code":11,"text":"read quorum not reached"}})");
  EXPECT_EQ(history_text(error),
            "       5.000 c2       fail   get        key 1 error 11: \"read quorum not reached\" (0.200 ms)");
  const json timeout = json::parse(R"({"index":9,"type":"info","process":"c2","f":"put","key":1,"node":"n3",
      "time_ms":1005,"latency_ms":1000,"outcome":"indeterminate","status":"timeout","reply":null})");
  EXPECT_EQ(history_text(timeout), "    1005.000 c2       info   put        key 1 timeout (1000.000 ms)");
  const json nemesis = json::parse(R"({"type":"info","process":"nemesis","f":"kill","value":"n2","time_ms":3000.5})");
  EXPECT_EQ(history_text(nemesis), "    3000.500 nemesis  info   kill       n2");
}

TEST(HistoryEdnTest, ExampleJsonValuesAsEdn) {
  EXPECT_EQ(json_to_edn(json::parse(R"([null, true, 3, -2.5, 2.0, "a\"b\\c\nd", {"k": [1]}, []])")),
            R"([nil true 3 -2.5 2.0 "a\"b\\c\nd" {"k" [1]} []])");
}

TEST(HistoryEdnTest, ExampleAWholeHistoryInJepsensForm) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "history-edn";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    HistoryWriter w(dir.string());
    w.write(invoke_event(7, "c3", "put", 5, "n2", 812.408,
                         json::parse(R"({"type":"kv_put","key":5,"value":"c3-4","clock":[0,0,4],"msg_id":3})")));
    w.write(invoke_event(8, "c1", "get", 5, "n1", 812.5, json::parse(R"({"type":"kv_get","key":5,"msg_id":4})")));
    const json conflict = json::parse(R"({"type":"kv_put_ok","in_reply_to":3,"status":"conflict","siblings":2})");
    w.write(completion_event(7, "c3", "put", 5, "n2", 812.512, 0.104,
                             model::classify(model::OpKind::kPut, model::reply_facts(&conflict)), &conflict, 2));
    const json read = json::parse(
        R"({"type":"kv_get_ok","in_reply_to":4,"values":[{"value":"c3-4","clock":[0,0,4]},{"value":"c1-2","clock":[2,0,0]}]})");
    w.write(completion_event(8, "c1", "get", 5, "n1", 813, 0.5,
                             model::classify(model::OpKind::kGet, model::reply_facts(&read)), &read, 2));
    w.write(nemesis_event("partition", "halves: n1 n2 | n3", 5004.2));
    w.write(invoke_event(9, "c2", "put", 1, "n3", 6000, json::parse(R"({"type":"kv_put","key":1,"value":"c2-1"})")));
    w.write(completion_event(9, "c2", "put", 1, "n3", 7000, 1000,
                             model::classify(model::OpKind::kPut, model::reply_facts(nullptr)), nullptr, -1));
    w.close();
  }
  std::ifstream in(dir / "history.edn");
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "{:type :invoke, :f :write, :value [5 \"c3-4\"], :process 3, :time 812408000, :index 0, :node \"n2\"}\n"
            "{:type :invoke, :f :read, :value [5 nil], :process 1, :time 812500000, :index 1, :node \"n1\"}\n"
            "{:type :ok, :f :write, :value [5 \"c3-4\"], :process 3, :time 812512000, :index 2, :node \"n2\", "
            ":status \"conflict\"}\n"
            "{:type :ok, :f :read, :value [5 [\"c3-4\" \"c1-2\"]], :process 1, :time 813000000, :index 3, "
            ":node \"n1\", :status \"ok\"}\n"
            "{:type :info, :f :partition, :value \"halves: n1 n2 | n3\", :process :nemesis, :time 5004200000, "
            ":index 4}\n"
            "{:type :invoke, :f :write, :value [1 \"c2-1\"], :process 2, :time 6000000000, :index 5, :node \"n3\"}\n"
            "{:type :info, :f :write, :value [1 \"c2-1\"], :process 2, :time 7000000000, :index 6, :node \"n3\", "
            ":error \"timeout\"}\n");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vckv::reports
