// Shared by the floor programs: read stdin in big chunks, frame lines, hand each line to a
// handler that appends one reply line to an output buffer, write the buffer in big chunks.
// The floors differ only in what the handler does, so their gaps measure that work alone.
#pragma once

#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace floors {

inline constexpr std::size_t kReadChunk = 1 << 20;
inline constexpr std::size_t kWriteChunk = 256 * 1024;

inline void write_all(int fd, std::string& out) {
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = ::write(fd, out.data() + sent, out.size() - sent);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("floor: write");
      std::exit(1);
    }
    sent += static_cast<std::size_t>(n);
  }
  out.clear();
}

inline void append_u64(std::string& out, std::uint64_t n) {
  char tmp[20];
  char* p = tmp + sizeof tmp;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n);
  out.append(p, static_cast<std::size_t>(tmp + sizeof tmp - p));
}

// Before each read that follows input, check stdin without sleeping for this long (µs), yielding
// the CPU between checks, as the node does with --busy-poll-us. 0: read (and sleep) at once.
inline std::int64_t busy_poll_us = 0;

inline void busy_wait_for_input() {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(busy_poll_us);
  pollfd p{0, POLLIN, 0};
  while (::poll(&p, 1, 0) == 0 && std::chrono::steady_clock::now() < until) sched_yield();
}

// Runs handler(line, out) for every non-empty line of stdin (without '\n' and a trailing '\r').
// The read buffer keeps `padding` readable bytes past the end of any line (for simdjson).
template <class Handler>
int run(Handler&& handler, std::size_t padding = 0) {
  std::vector<char> buf(kReadChunk * 2 + padding);
  std::size_t held = 0;  // bytes of an unfinished line at the start of buf
  std::string out;
  out.reserve(kWriteChunk + 4096);
  for (;;) {
    if (held + kReadChunk > buf.size() - padding) buf.resize(held + kReadChunk + padding);
    if (busy_poll_us > 0) busy_wait_for_input();
    const ssize_t got = ::read(0, buf.data() + held, buf.size() - padding - held);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::perror("floor: read");
      return 1;
    }
    const std::size_t end = held + static_cast<std::size_t>(got);
    std::size_t pos = 0;
    for (;;) {
      const void* nl = std::memchr(buf.data() + pos, '\n', end - pos);
      if (!nl && got > 0) break;
      std::size_t line_end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) : end;
      std::size_t len = line_end - pos;
      if (len && buf[pos + len - 1] == '\r') --len;
      if (len) handler(std::string_view(buf.data() + pos, len), out);
      if (out.size() >= kWriteChunk) write_all(1, out);
      if (!nl) {
        pos = end;
        break;
      }
      pos = line_end + 1;
    }
    // Like the node: everything the input read so far produced is written before the next read,
    // so a floor also answers one request at a time over a pipe (vckv-latency works on it).
    write_all(1, out);
    held = end - pos;
    if (held) std::memmove(buf.data(), buf.data() + pos, held);
    if (got == 0) break;
  }
  write_all(1, out);
  return 0;
}

// {"src": "n1", "dest": DEST, "body": {"type": TYPE_ok, "in_reply_to": ID, "msg_id": N}}\n
// built by appending (what a hand-written renderer costs).
inline void append_reply(std::string& out, std::string_view dest, std::string_view type,
                         std::string_view in_reply_to, std::uint64_t msg_id) {
  out += R"({"src": "n1", "dest": ")";
  out += dest;
  out += R"(", "body": {"type": ")";
  out += type;
  out += R"(_ok", "in_reply_to": )";
  out += in_reply_to;
  out += R"(, "msg_id": )";
  append_u64(out, msg_id);
  out += "}}\n";
}

// The same with in_reply_to given as a number (formatted by append_u64, not printf).
inline void append_reply(std::string& out, std::string_view dest, std::string_view type,
                         std::uint64_t in_reply_to, std::uint64_t msg_id) {
  char tmp[20];
  char* p = tmp + sizeof tmp;
  do {
    *--p = static_cast<char>('0' + in_reply_to % 10);
    in_reply_to /= 10;
  } while (in_reply_to);
  append_reply(out, dest, type, std::string_view(p, static_cast<std::size_t>(tmp + sizeof tmp - p)),
               msg_id);
}

}  // namespace floors
