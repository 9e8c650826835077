// floor-pipe: frame lines and write one fixed reply per line. No parse, no store: the cost of
// the pipe, the framing and the output bytes alone.
#include "floor_common.hpp"

int main() {
  static constexpr std::string_view kReply =
      R"({"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}})"
      "\n";
  return floors::run([](std::string_view, std::string& out) { out += kReply; });
}
