// vclock-kv: the command line -> a Node on the event loop -> exit status. The units register
// their own timers and hooks with the loop; main only wires input lines to the node.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "vckv/node/command_line.hpp"
#include "vckv/node/node.hpp"
#include "vckv/runtime/event_loop.hpp"
#include "vckv/runtime/heap_trim.hpp"
#include "vckv/runtime/log.hpp"
#include "vckv/storage/posix_file_system.hpp"

int main(int argc, char** argv) {
  const vckv::CommandLine command_line =
      vckv::read_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!command_line.options) {
    (command_line.text_is_error ? std::cerr : std::cout) << command_line.text << std::flush;
    return command_line.exit_status;
  }
  vckv::RunOptions options = *command_line.options;
  // This process's incarnation, new at every start (docs/protocol.md §11): from the operating
  // system's randomness, with the clock mixed in should that ever be a fixed sequence.
  std::random_device random;
  options.node.incarnation =
      (std::uint64_t{random()} << 32 ^ random()) ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  // The data directory's in-memory index is keyed from the same randomness (§15).
  options.node.durability.store.hash_seed = options.node.incarnation * 0x9e3779b97f4a7c15ULL + 1;
  vckv::Logger log(std::cerr, options.log_level);
  if (isatty(STDIN_FILENO)) log.info(vckv::terminal_hint());  // a person, not a pipe
  vckv::EventLoop loop(options.loop, log);
  vckv::PosixFileSystem files;  // touched only with --data-dir
  vckv::Node node(options.node, loop.output(), loop, log, &files);
  // A data directory that cannot be opened (another node holds it) or written: the reason is
  // logged already; nothing of this turn's output is written (it may acknowledge what is not
  // on disk), and the status says why (kExitStorageFailure).
  // Memory the store frees (keys reaped, §16) goes back to the system, not only to malloc.
  vckv::HeapTrimmer heap_trimmer(loop, log);
  node.durability().set_fatal_handler([](const std::string&) { _exit(vckv::kExitStorageFailure); });
  // Requests are handled one at a time against the output budget: past it the framer holds
  // the rest of what was read, and the loop reads no more, until the reader has caught up.
  vckv::LineFramer framer(
      options.max_line_bytes,
      [&](std::string_view line, std::uint64_t line_number) { node.handle_line(line, line_number); },
      [&](std::uint64_t line_number, std::uint64_t bytes) {
        log.warn("line " + std::to_string(line_number) + ": longer than --max-line-bytes (" +
                 std::to_string(bytes) + " bytes); skipped");
      },
      [&] { return loop.unwritten() >= options.loop.max_pending_output; });
  return loop.run(vckv::EventLoop::Input{[&](std::string_view bytes) { framer.feed(bytes); },
                                         [&] { framer.finish(); }, [&] { return framer.held(); },
                                         [&] { framer.resume(); }});
}
