// floor-pipe: frame lines and write one fixed reply per line. No parse, no store: the cost of
// the pipe, the framing and the output bytes alone.
//   floor-pipe [--busy-poll-us N]   (N: as the node's option of that name; default 0)
#include <cstdlib>
#include <cstring>

#include "floor_common.hpp"

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--busy-poll-us") == 0) {
    floors::busy_poll_us = std::atoll(argv[2]);
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: floor-pipe [--busy-poll-us N]\n");
    return 2;
  }
  static constexpr std::string_view kReply =
      R"({"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}})"
      "\n";
  return floors::run([](std::string_view, std::string& out) { out += kReply; });
}
