// A node process: the binary started with its stdin and stdout on pipes (non-blocking on our
// side) and its stderr in a log file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vckv::harness {

class NodeProcess {
 public:
  // Starts `argv[0]` with `argv`; stderr goes to log_path (truncated, or appended to for a
  // restart). Returns an error text on failure, with nothing left running.
  static std::optional<std::string> spawn(const std::vector<std::string>& argv,
                                          const std::string& log_path, NodeProcess& out,
                                          bool append_log = false);

  NodeProcess() = default;
  NodeProcess(NodeProcess&& other) noexcept;
  NodeProcess& operator=(NodeProcess&&) = delete;
  NodeProcess(const NodeProcess&) = delete;
  ~NodeProcess();

  int stdout_fd() const { return stdout_fd_; }
  int stdin_fd() const { return stdin_fd_; }
  pid_t pid() const { return pid_; }

  // Queues a line (a '\n' is appended) for the node's stdin.
  void queue_line(const std::string& line) { pending_ += line; pending_ += '\n'; }
  bool has_pending_input() const { return pending_sent_ < pending_.size(); }
  // Writes as much queued input as the pipe takes now. False when the node closed its stdin.
  bool write_pending();

  // Reads what is available and appends complete lines to `lines`. False at end of output
  // (the node closed stdout or exited); a last line without '\n' is then appended too, unless
  // keep_partial is false (a killed node's cut-off write), when it is counted in cut_bytes().
  bool read_lines(std::vector<std::string>& lines, bool keep_partial = true);
  std::size_t cut_bytes() const { return cut_bytes_; }

  // SIGKILL now, and wait for it. Output it wrote before dying is still readable.
  std::string kill_now();
  // SIGSTOP / SIGCONT.
  void pause();
  void resume();
  bool paused() const { return paused_; }
  // Bytes queued for stdin that the pipe has not taken yet.
  std::size_t pending_input_bytes() const { return pending_.size() - pending_sent_; }

  // SIGTERM (after SIGCONT if paused), then SIGKILL after grace_ms. Returns a description of how it ended, e.g.
  // "exit 0" or "killed by signal 9 after SIGTERM grace".
  std::string stop(int grace_ms);
  // Non-blocking: a description if the process has ended, else nullopt.
  std::optional<std::string> poll_exit();
  // The CPU time (user + system, seconds) the process used, once it has ended; 0 before.
  double cpu_seconds() const { return cpu_seconds_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;
  std::size_t pending_sent_ = 0;
  std::string partial_;  // an unfinished output line
  std::optional<std::string> exit_;
  bool paused_ = false;
  std::size_t cut_bytes_ = 0;
  double cpu_seconds_ = 0;

  // wait4 for the process, keeping its resource usage when it is reaped.
  pid_t reap(int& status, int options);
};

}  // namespace vckv::harness
