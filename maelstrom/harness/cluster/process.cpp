#include "harness/cluster/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace vckv::harness {

namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::optional<std::string> NodeProcess::spawn(const std::vector<std::string>& argv,
                                              const std::string& log_path, NodeProcess& out,
                                              bool append_log) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return std::string("pipe: ") + std::strerror(errno);
  }
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append_log ? O_APPEND : O_TRUNC), 0644);
  if (log_fd < 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return "open " + log_path + ": " + std::strerror(errno);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the target, so the child keeps exactly 0, 1 and 2.
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(log_fd);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return "cannot start " + argv[0] + ": " + std::strerror(rc);
  }
  ::fcntl(in_pipe[1], F_SETFL, ::fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
  ::fcntl(out_pipe[0], F_SETFL, ::fcntl(out_pipe[0], F_GETFL) | O_NONBLOCK);
  out.pid_ = pid;
  out.stdin_fd_ = in_pipe[1];
  out.stdout_fd_ = out_pipe[0];
  return std::nullopt;
}

NodeProcess::NodeProcess(NodeProcess&& other) noexcept
    : pid_(other.pid_), stdin_fd_(other.stdin_fd_), stdout_fd_(other.stdout_fd_),
      pending_(std::move(other.pending_)), pending_sent_(other.pending_sent_),
      partial_(std::move(other.partial_)), exit_(std::move(other.exit_)), paused_(other.paused_),
      cut_bytes_(other.cut_bytes_) {
  other.pid_ = -1;
  other.stdin_fd_ = other.stdout_fd_ = -1;
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0 && !exit_) stop(0);
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
}

bool NodeProcess::write_pending() {
  while (stdin_fd_ >= 0 && pending_sent_ < pending_.size()) {
    const ssize_t n = ::write(stdin_fd_, pending_.data() + pending_sent_, pending_.size() - pending_sent_);
    if (n > 0) {
      pending_sent_ += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      close_fd(stdin_fd_);
      return false;
    }
  }
  if (pending_sent_ == pending_.size()) {
    pending_.clear();
    pending_sent_ = 0;
  } else if (pending_sent_ > (1u << 16) && pending_sent_ * 2 > pending_.size()) {
    // A node that never quite catches up must not make the buffer grow with everything ever sent.
    pending_.erase(0, pending_sent_);
    pending_sent_ = 0;
  }
  return stdin_fd_ >= 0;
}

bool NodeProcess::read_lines(std::vector<std::string>& lines, bool keep_partial) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n > 0) {
      partial_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    std::size_t start = 0;
    for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(partial_.substr(start, nl - start));
    }
    partial_.erase(0, start);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (!partial_.empty() && keep_partial) lines.push_back(std::move(partial_));  // a last line without '\n'
    if (!keep_partial) cut_bytes_ += partial_.size();
    partial_.clear();
    return false;  // end of output, or a read error
  }
}

pid_t NodeProcess::reap(int& status, int options) {
  rusage usage{};
  const pid_t r = ::wait4(pid_, &status, options, &usage);
  if (r == pid_) {
    cpu_seconds_ = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                   static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  return r;
}

std::optional<std::string> NodeProcess::poll_exit() {
  if (exit_ || pid_ <= 0) return exit_;
  int status = 0;
  if (reap(status, WNOHANG) == pid_) exit_ = describe_status(status);
  return exit_;
}

std::string NodeProcess::kill_now() {
  if (pid_ <= 0) return "not started";
  if (poll_exit()) return *exit_;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (reap(status, 0) < 0 && errno == EINTR) {
  }
  exit_ = describe_status(status);
  paused_ = false;
  close_fd(stdin_fd_);
  return *exit_;
}

void NodeProcess::pause() {
  if (pid_ > 0 && !exit_ && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void NodeProcess::resume() {
  if (pid_ > 0 && !exit_) ::kill(pid_, SIGCONT);
  paused_ = false;
}

std::string NodeProcess::stop(int grace_ms) {
  if (pid_ <= 0) return "not started";
  if (poll_exit()) return *exit_;
  if (paused_) resume();
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  char discard[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    if (poll_exit()) return *exit_ + " after SIGTERM";
    // Keep reading so a node flushing its last output is not stuck on a full pipe.
    while (stdout_fd_ >= 0 && ::read(stdout_fd_, discard, sizeof discard) > 0) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (reap(status, 0) < 0 && errno == EINTR) {
  }
  exit_ = describe_status(status) + " (SIGKILL after " + std::to_string(grace_ms) + " ms SIGTERM grace)";
  return *exit_;
}

}  // namespace vckv::harness
