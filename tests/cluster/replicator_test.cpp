#include "vckv/cluster/replicator.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "vckv/runtime/manual_scheduler.hpp"

namespace vckv {
namespace {

// A replicator of node n1 in a cluster, with its store, outbox and a virtual clock.
struct Rig {
  explicit Rig(std::vector<std::string> ids = {"n1", "n2"}, ReplicationOptions options = {})
      : clock(1000), log(logs, LogLevel::kError), outbox(out),
        replicator(options, outbox, clock, store, log) {
    outbox.set_self("n1");
    replicator.start("n1", ids);
  }
  // A client's write to key, as the node applies and reports it.
  void client_write(const std::string& key, const std::string& value, VectorClock clock_) {
    if (store.apply_client_write(key, Version{value, std::move(clock_)}, 100).changed()) {
      replicator.changed_by_client(key);
    }
  }
  std::string take() { return std::exchange(out, std::string()); }
  void ack(const std::string& from, std::uint64_t msg_id) {
    Incoming in;
    in.src = from;
    in.is_reply = true;
    in.in_reply_to = msg_id;
    in.type = "sync_ok";
    replicator.on_reply(in);
  }

  ManualScheduler clock;
  std::ostringstream logs;
  Logger log;
  std::string out;
  SiblingStore store;
  Outbox outbox;
  Replicator replicator;
};

TEST(ReplicatorTest, AClientWriteGoesToEveryPeerBeforeTheLoopWaits) {
  Rig r({"n1", "n2", "n3"});
  r.client_write("\"x\"", "\"v\"", {1});
  EXPECT_EQ(r.take(), "");  // nothing until the loop is about to wait
  r.clock.before_sleep();
  EXPECT_EQ(r.take(),
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [{"key": "x", "value": "v", "clock": [1]}], "msg_id": 0}}
{"src": "n1", "dest": "n3", "body": {"type": "sync", "versions": [{"key": "x", "value": "v", "clock": [1]}], "msg_id": 1}}
)");
  EXPECT_EQ(r.replicator.requests_in_flight(), 2u);
}

// Unacknowledged for --sync-interval-ms: sent again, with the key's siblings as they are then;
// a silent peer's wait doubles (up to 8x); an acknowledgement ends it and resets the wait.
TEST(ReplicatorTest, ResendsUntilAcknowledgedBackingOffWhileThePeerIsSilent) {
  Rig r;
  r.client_write("\"x\"", "\"v\"", {1});
  r.clock.before_sleep();
  r.take();
  r.clock.advance_to(1099);
  EXPECT_EQ(r.take(), "");
  r.client_write("\"x\"", "\"w\"", {2});  // the resend carries this, not the lost version
  r.take();
  r.clock.advance_to(1100);
  EXPECT_EQ(r.take(),
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [{"key": "x", "value": "w", "clock": [2]}], "msg_id": 1}}
)");
  // The write at 1099 was flushed at 1100 in the same turn as the resend: one message.
  std::vector<std::int64_t> resent_at;
  for (std::int64_t t = 1101; t <= 6000; ++t) {
    r.clock.advance_to(t);
    if (!r.take().empty()) resent_at.push_back(t);
  }
  // Waits of 200, 400, 800, then 800 (8 x 100) ms.
  EXPECT_EQ(resent_at, (std::vector<std::int64_t>{1300, 1700, 2500, 3300, 4100, 4900, 5700}));
  r.ack("n2", 8);  // the last resend's msg_id (0 first, then 1 ... 8)
  EXPECT_EQ(r.replicator.requests_in_flight(), 0u);
  r.clock.advance_to(20000);
  EXPECT_EQ(r.take(), "");
  // The next sync waits the base interval again.
  r.client_write("\"y\"", "1", {1});
  r.clock.before_sleep();
  r.take();
  r.clock.advance_to(20100);
  EXPECT_NE(r.take(), "");
}

TEST(ReplicatorTest, AnErrorReplyIsNoAcknowledgement) {
  Rig r;
  r.client_write("\"x\"", "\"v\"", {1});
  r.clock.before_sleep();
  r.take();
  Incoming error;
  error.src = "n2";
  error.is_reply = true;
  error.in_reply_to = 0;
  error.type = "error";
  r.replicator.on_reply(error);
  r.clock.before_sleep();
  EXPECT_NE(r.take().find(R"("type": "sync")"), std::string::npos);  // sent again
}

// n1 merged a version from n2: it goes on to n3 only, with the next forwarding round.
TEST(ReplicatorTest, MergedVersionsAreForwardedToTheOtherPeersOnly) {
  Rig r({"n1", "n2", "n3"});
  r.store.merge_version("\"x\"", Version{"\"v\"", VectorClock{1}});
  r.replicator.changed_by_merge("n2", "\"x\"");
  r.clock.before_sleep();
  EXPECT_EQ(r.take(), "");  // not at once
  r.clock.advance_to(2000);  // --forward-interval-ms 1000
  EXPECT_EQ(r.take(),
            R"({"src": "n1", "dest": "n3", "body": {"type": "sync", "versions": [{"key": "x", "value": "v", "clock": [1]}], "msg_id": 0}}
)");
}

TEST(ReplicatorTest, KeysAreBatchedInSortedOrder) {
  ReplicationOptions options;
  options.sync_batch_keys = 2;
  Rig r({"n1", "n2"}, options);
  for (const char* key : {"\"c\"", "\"a\"", "\"b\""}) r.client_write(key, "0", {1});
  r.clock.before_sleep();
  const std::string out = r.take();
  EXPECT_EQ(out,
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [{"key": "a", "value": 0, "clock": [1]}, {"key": "b", "value": 0, "clock": [1]}], "msg_id": 0}}
{"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [{"key": "c", "value": 0, "clock": [1]}], "msg_id": 1}}
)");
}

TEST(ReplicatorTest, DisabledSendsNothing) {
  ReplicationOptions options;
  options.enabled = false;
  Rig r({"n1", "n2"}, options);
  r.client_write("\"x\"", "\"v\"", {1});
  r.clock.before_sleep();
  r.clock.advance_to(100000);
  EXPECT_EQ(r.take(), "");
}

}  // namespace
}  // namespace vckv
