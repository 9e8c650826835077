#include "reports/files/history_log.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vckv::reports
