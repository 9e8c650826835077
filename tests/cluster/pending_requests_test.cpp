#include "vckv/cluster/pending_requests.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "vckv/runtime/manual_scheduler.hpp"

namespace vckv {
namespace {

using Match = PendingRequests::Match;

Incoming reply(const std::string& from, std::uint64_t in_reply_to,
               std::optional<std::uint64_t> incarnation = 0) {
  Incoming in;
  in.src = from;
  in.is_reply = true;
  in.in_reply_to = in_reply_to;
  in.incarnation = incarnation;
  in.type = "sync_ok";
  return in;
}

// Each request completes exactly once: with its reply, or with nothing at its deadline.
TEST(PendingRequestsTest, RepliesAndDeadlinesCompleteEachRequestOnce) {
  ManualScheduler clock(1000);
  PendingRequests pending(clock);
  std::vector<std::string> done;
  auto note = [&](std::string name) {
    return [&done, name](const Incoming* r) {
      done.push_back(name + (r ? " replied by " + r->src : " timed out"));
    };
  };
  pending.add(1, "n2", 1100, note("1"));
  pending.add(2, "n3", 1050, note("2"));
  pending.add(3, "n2", 1200, note("3"));
  EXPECT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending.complete(reply("n2", 1)), Match::kAnswered);
  EXPECT_EQ(pending.complete(reply("n2", 1)), Match::kNotAwaited);  // a duplicate reply
  EXPECT_EQ(pending.complete(reply("n3", 3)), Match::kNotAwaited);  // 3 went to n2, not n3
  EXPECT_EQ(pending.complete(reply("n2", 77)), Match::kNotAwaited);  // nobody asked
  clock.advance_to(1060);
  EXPECT_EQ(done, (std::vector<std::string>{"1 replied by n2", "2 timed out"}));
  EXPECT_EQ(pending.complete(reply("n3", 2)), Match::kNotAwaited);  // late
  clock.advance_to(5000);
  EXPECT_EQ(done.back(), "3 timed out");
  EXPECT_EQ(pending.size(), 0u);
  EXPECT_EQ(clock.timer_count(), 0u);  // nothing left waiting, no timer left running
}

// A request added with an earlier deadline than the one the timer is set for still times out
// on time, and a completion may send (add) the next request.
TEST(PendingRequestsTest, EarlierDeadlinesAndRequestsAddedByCompletions) {
  ManualScheduler clock(0);
  PendingRequests pending(clock);
  std::vector<std::int64_t> timed_out_at;
  pending.add(1, "n2", 1000, [&](const Incoming*) { timed_out_at.push_back(clock.now_ms()); });
  pending.add(2, "n2", 100, [&](const Incoming*) {
    timed_out_at.push_back(clock.now_ms());
    pending.add(3, "n2", clock.now_ms() + 50,
                [&](const Incoming*) { timed_out_at.push_back(clock.now_ms()); });
  });
  clock.advance_to(2000);
  EXPECT_EQ(timed_out_at, (std::vector<std::int64_t>{100, 150, 1000}));
}

// msg_ids start at 0 in every process: a reply is taken only when it echoes this process's
// incarnation (not the earlier process's whose request had the same msg_id, nor none) and, for
// a request that asks, is about it. Anything else leaves the request waiting for its own reply.
TEST(PendingRequestsTest, RepliesMeantForAnotherIncarnationOrRequestAreIgnored) {
  ManualScheduler clock(0);
  PendingRequests pending(clock);
  pending.set_incarnation(42);
  std::vector<std::string> done;
  pending.add(0, "n2", 1000, [&](const Incoming* r) { done.push_back(r ? r->type : "timed out"); },
              [](const Incoming& r) { return r.type == "sync_ok"; });
  EXPECT_EQ(pending.complete(reply("n2", 0, 41)), Match::kOtherIncarnation);  // the earlier process
  EXPECT_EQ(pending.complete(reply("n2", 0, std::nullopt)), Match::kOtherIncarnation);
  Incoming other = reply("n2", 0, 42);
  other.type = "fetch_ok";
  EXPECT_EQ(pending.complete(other), Match::kNotAbout);
  EXPECT_TRUE(done.empty());
  EXPECT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending.complete(reply("n2", 0, 42)), Match::kAnswered);
  EXPECT_EQ(done, (std::vector<std::string>{"sync_ok"}));
}

}  // namespace
}  // namespace vckv
