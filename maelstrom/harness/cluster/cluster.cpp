#include "harness/cluster/cluster.hpp"

#include <filesystem>
#include <system_error>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "model/net/envelope.hpp"

namespace vckv::harness {

using reports::Fate;

namespace {

using json = nlohmann::json;

constexpr Micros kDeliverySlack = 200;  // µs

std::string truncated(const std::string& s, std::size_t n = 200) {
  return s.size() <= n ? s : s.substr(0, n) + "...";
}

std::string seconds_text(Micros us) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(3);
  s << static_cast<double>(us) / 1e6 << " s";
  return s.str();
}

}  // namespace

const char* node_health_name(NodeHealth h) {
  switch (h) {
    case NodeHealth::kStarting: return "starting";
    case NodeHealth::kUp: return "up";
    case NodeHealth::kPaused: return "paused";
    case NodeHealth::kDead: return "dead";
  }
  return "?";
}

Cluster::Cluster(ClusterOptions options, model::Rng& rng, Journal& journal)
    : options_(std::move(options)), rng_(rng), journal_(journal), t0_(std::chrono::steady_clock::now()) {}

Cluster::~Cluster() {
  for (auto& [id, p] : procs_) {
    if (p && health_[id] != NodeHealth::kDead) p->stop(0);
  }
}

Micros Cluster::now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0_).count();
}

void Cluster::fail(model::Verdict v, std::string reason) {
  if (!failure_) failure_ = std::make_pair(v, std::move(reason));
}

std::string Cluster::log_path(const std::string& node) const { return options_.log_dir + "/" + node + ".log"; }

std::string Cluster::stderr_tail(const std::string& node) const {
  std::ifstream in(log_path(node), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return "its stderr is empty";
  // The last few lines, at most ~600 bytes.
  std::size_t start = text.size() > 600 ? text.size() - 600 : 0;
  int lines = 0;
  for (std::size_t i = text.size(); i > start; --i) {
    if (text[i - 1] == '\n' && ++lines == 6) {
      start = i;
      break;
    }
  }
  return std::string("its stderr ") + (start > 0 ? "ends" : "says") + ": " +
         json(text.substr(start)).dump(-1, ' ', false, json::error_handler_t::replace);
}

bool Cluster::spawn(const std::string& id, bool restart) {
  std::vector<std::string> argv{options_.bin};
  argv.insert(argv.end(), options_.node_args.begin(), options_.node_args.end());
  if (!options_.data_dir.empty()) argv.push_back("--data-dir=" + options_.data_dir);
  if (restart) {
    std::ofstream(log_path(id), std::ios::app)
        << "=== vckv-harness: " << id << " restarted at " << seconds_text(now())
        << (options_.data_dir.empty() ? " (empty store)" : " (with its data directory)") << " ===\n";
  }
  auto p = std::make_unique<NodeProcess>();
  if (auto err = NodeProcess::spawn(argv, log_path(id), *p, restart)) {
    fail(model::Verdict::kUnknown, "node " + id + " could not be started: " + *err);
    return false;
  }
  if (auto old = procs_.find(id); old != procs_.end() && old->second) old->second.reset();
  procs_[id] = std::move(p);
  health_[id] = NodeHealth::kStarting;
  dead_.erase(id);
  paused_.erase(id);
  return true;
}

void Cluster::send_init(const std::string& id, std::function<void(bool ok)> ready) {
  json body{{"type", "init"}, {"node_id", id}, {"node_ids", options_.node_ids}};
  const Micros timeout = static_cast<Micros>(std::llround(options_.init_timeout_s * 1e6));
  // init goes straight to the new process, ahead of anything the network still holds for it:
  // a node learns who it is before it hears from its peers.
  request(kControlClient, id, body, timeout, [this, id, ready](const json* reply, Micros) {
    if (!reply) {
      fail(model::Verdict::kUnknown, "node " + id + " did not answer init within " + json(options_.init_timeout_s).dump() +
                                  " s; " + stderr_tail(id));
      ready(false);
    } else if (reply->value("type", "") != "init_ok") {
      fail(model::Verdict::kUnknown, "node " + id + " answered init with " + truncated(reply->dump()) + "; " + stderr_tail(id));
      ready(false);
    } else {
      if (health_[id] == NodeHealth::kStarting) health_[id] = NodeHealth::kUp;
      ready(true);
    }
  });
}

bool Cluster::start() {
  for (const std::string& id : options_.node_ids) {
    if (!spawn(id, false)) return false;
  }
  std::size_t ready = 0;
  for (const std::string& id : options_.node_ids) {
    send_init(id, [&ready](bool ok) { ready += ok; });
  }
  const Micros limit = now() + static_cast<Micros>(std::llround(options_.init_timeout_s * 1e6)) + 1'000'000;
  pump(limit, [&] { return ready == options_.node_ids.size(); });
  cancel_requests(kControlClient);  // `ready` goes out of scope
  if (!failure_ && ready != options_.node_ids.size()) {
    fail(model::Verdict::kUnknown, "the nodes did not all answer init");
  }
  return !failure_;
}

std::uint64_t Cluster::request(const std::string& client, const std::string& node, json body, Micros timeout, Done done) {
  const std::uint64_t id = next_msg_id_[client]++;
  body["msg_id"] = id;
  const std::string type = body.value("type", "");
  json envelope{{"src", client}, {"dest", node}, {"body", std::move(body)}};
  const Micros t = now();
  std::string line = envelope.dump(-1, ' ', false, json::error_handler_t::replace);
  if (type == "init") {
    InFlight m{t, net_.allocate_id(), t, client, node, type, line};
    journal_.record(m, Fate::kDelivered, t, std::nullopt, false);
    procs_.at(node)->queue_line(line);
  } else {
    net_.send(client, node, type, std::move(line), t, 0);
  }
  pending_.emplace(std::make_pair(client, id), Pending{t + timeout, std::move(done)});
  return id;
}

void Cluster::cancel_requests(const std::string& client) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->first.first == client ? pending_.erase(it) : std::next(it);
  }
}

std::size_t Cluster::down_count() const { return dead_.size() + paused_.size(); }

void Cluster::kill(const std::string& node) {
  auto& p = procs_.at(node);
  if (health_[node] == NodeHealth::kDead) return;
  health_[node] = NodeHealth::kDead;
  dead_.insert(node);
  paused_.erase(node);
  const Micros t = now();
  const std::string how = p->kill_now();
  exits_.push_back({node, how + " (nemesis kill at " + seconds_text(t) + ")", p->cpu_seconds()});
  // What it printed before it died is on the wire already.
  std::vector<std::string> lines;
  for (int i = 0; i < 1000 && p->stdout_fd() >= 0 && p->read_lines(lines, false); ++i) {
    ::usleep(1000);
  }
  for (const std::string& line : lines) handle_line(node, line, t);
  if (p->cut_bytes() > 0) {
    event(node + " was killed in the middle of a line; its last " + std::to_string(p->cut_bytes()) +
          " bytes were dropped");
  }
}

void Cluster::wipe(const std::string& node) {
  if (options_.data_dir.empty() || health_.at(node) != NodeHealth::kDead) return;
  std::error_code error;
  std::filesystem::remove_all(std::filesystem::path(options_.data_dir) / node, error);
  if (error) {
    fail(model::Verdict::kUnknown, "disk-loss: could not remove " + options_.data_dir + "/" + node + ": " +
                                       error.message());
    return;
  }
  std::ofstream(log_path(node), std::ios::app)
      << "=== vckv-harness: " << node << "'s data directory removed at " << seconds_text(now()) << " (disk-loss) ===\n";
}

void Cluster::restart(const std::string& node) {
  if (health_.at(node) != NodeHealth::kDead) return;
  if (!spawn(node, true)) return;
  send_init(node, [this, node](bool ok) {
    if (ok) event(node + " answered init after its restart");
  });
}

void Cluster::pause(const std::string& node) {
  if (health_.at(node) == NodeHealth::kDead || health_[node] == NodeHealth::kPaused) return;
  procs_.at(node)->pause();
  health_[node] = NodeHealth::kPaused;
  paused_.insert(node);
}

void Cluster::resume(const std::string& node) {
  if (health_.at(node) != NodeHealth::kPaused) return;
  procs_.at(node)->resume();
  health_[node] = NodeHealth::kUp;
  paused_.erase(node);
}

void Cluster::deliver_due(Micros t) {
  for (Due& d : net_.take_due(t, partition_, dead_, paused_)) {
    const bool node_to_node = is_node(d.message.from);
    if (d.dropped) {
      journal_.record(d.message, Fate::kDropped, t, d.dropped, node_to_node);
      continue;
    }
    journal_.record(d.message, Fate::kDelivered, t, std::nullopt, node_to_node);
    procs_.at(d.message.to)->queue_line(d.message.line);
    if (node_to_node) last_node_delivery_ = t;
  }
}

void Cluster::pump(Micros until, const std::function<bool()>& finished) {
  std::vector<pollfd> fds;
  std::vector<std::string> fd_nodes;
  std::vector<std::string> lines;
  while (!failure_ && !finished()) {
    // Everything due is handled before `until` is checked: poll may wake late, and a timeout
    // due at the same moment as `until` must still fire.
    const Micros t = now();
    if (driver_.tick) driver_.tick(t);
    deliver_due(t);
    if (t >= next_log_scan_) scan_logs(t);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= t) {
        Done done = std::move(it->second.done);
        it = pending_.erase(it);
        done(nullptr, t);
      } else {
        ++it;
      }
    }
    if (failure_ || finished() || t >= until) return;
    // The next thing due.
    Micros wake = until;
    // Deliveries due close together are made in one wake-up: at most kDeliverySlack late,
    // which is far below any latency worth simulating and saves a poll per message at scale.
    if (auto d = net_.next_delivery(paused_)) wake = std::min(wake, *d > t ? *d + kDeliverySlack : *d);
    for (const auto& [key, p] : pending_) wake = std::min(wake, p.deadline);
    wake = std::min(wake, next_log_scan_);
    if (driver_.next_wake) {
      if (auto w = driver_.next_wake()) wake = std::min(wake, *w);
    }
    fds.clear();
    fd_nodes.clear();
    for (auto& [id, node] : procs_) {
      if (health_[id] == NodeHealth::kDead) continue;
      if (!node->write_pending()) {
        node_output_ended(id, "closed its stdin");
        return;
      }
      fds.push_back({node->stdout_fd(), POLLIN, 0});
      fd_nodes.push_back(id);
      if (node->has_pending_input()) {
        fds.push_back({node->stdin_fd(), POLLOUT, 0});
        fd_nodes.push_back(id);
      }
    }
    const Micros wait = std::max<Micros>(0, wake - now());
    timespec ts{static_cast<time_t>(wait / 1000000), static_cast<long>((wait % 1000000) * 1000)};
    if (::ppoll(fds.data(), fds.size(), &ts, nullptr) < 0 && errno != EINTR) {
      fail(model::Verdict::kUnknown, std::string("poll failed: ") + std::strerror(errno));
      return;
    }
    for (std::size_t i = 0; i < fds.size() && !failure_; ++i) {
      if (fds[i].events != POLLIN || fds[i].revents == 0) continue;
      const std::string id = fd_nodes[i];
      if (health_[id] == NodeHealth::kDead) continue;  // killed while handling an earlier fd
      lines.clear();
      const bool open = procs_.at(id)->read_lines(lines);
      const Micros read_at = now();
      for (const std::string& line : lines) {
        handle_line(id, line, read_at);
        if (failure_) break;
      }
      if (!open && !failure_) node_output_ended(id, "closed its stdout");
    }
  }
}

void Cluster::node_output_ended(const std::string& id, const std::string& what) {
  std::string how = what;
  for (int tries = 0; tries < 50; ++tries) {
    if (auto e = procs_.at(id)->poll_exit()) {
      how = "exited (" + *e + ")";
      break;
    }
    ::usleep(2000);
  }
  if (health_[id] == NodeHealth::kStarting) {
    fail(model::Verdict::kUnknown, "node " + id + " " + how + " before answering init; " + stderr_tail(id));
  } else {
    fail(model::Verdict::kInvalid, "node " + id + " " + how + " during the run; " + stderr_tail(id));
  }
}

void Cluster::handle_line(const std::string& node, const std::string& line, Micros t) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return;
  // A node that breaks the protocol before answering init never started: the run is unknown.
  const model::Verdict broken = health_[node] == NodeHealth::kStarting ? model::Verdict::kUnknown : model::Verdict::kInvalid;
  model::EnvelopeParse parsed = model::parse_envelope(line);
  if (!parsed.head) {
    const bool not_json = parsed.error.rfind("not JSON", 0) == 0;
    fail(broken, "node " + node + (not_json ? " printed a line that is not JSON: " : " printed a " + parsed.error + ": ") +
                                truncated(line));
    return;
  }
  model::EnvelopeHead& head = *parsed.head;
  if (head.src != node) {
    fail(broken, "node " + node + " sent a message with src " + json(head.src).dump() + ": " + truncated(line));
    return;
  }
  if (is_node(head.dest)) {
    net_.send(head.src, head.dest, head.type, line, t, options_.latency.sample(rng_));
    return;
  }
  // To a client: delivered at once.
  InFlight m{t, net_.allocate_id(), t, head.src, head.dest, head.type, line};
  journal_.record(m, Fate::kDelivered, t, std::nullopt, false);
  if (!head.in_reply_to) {
    fail(broken, "node " + node + " sent a client a message that is not a reply: " + truncated(line));
    return;
  }
  auto it = pending_.find({head.dest, *head.in_reply_to});
  if (it == pending_.end()) {
    ++late_replies_;  // the request timed out already, or was cancelled
    return;
  }
  Done done = std::move(it->second.done);
  pending_.erase(it);
  const json envelope = json::parse(line);
  done(&envelope["body"], t);
}

void Cluster::scan_logs(Micros t) {
  next_log_scan_ = t + kLogScan;
  for (const std::string& id : options_.node_ids) {
    std::ifstream in(log_path(id), std::ios::binary);
    if (!in) continue;
    std::uint64_t& read = log_read_[id];
    in.seekg(static_cast<std::streamoff>(read));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t complete = text.rfind('\n');
    if (complete == std::string::npos) continue;
    read += complete + 1;
    for (std::size_t start = 0; start <= complete;) {
      const std::size_t end = text.find('\n', start);
      if (auto r = model::parse_reap_line(std::string_view(text).substr(start, end - start))) {
        reaps_.push_back(Reap{std::move(*r), t});
      }
      start = end + 1;
    }
  }
}

std::vector<NodeExit> Cluster::stop_all() {
  std::vector<NodeExit> exits = exits_;
  for (auto& [id, p] : procs_) {
    if (health_[id] == NodeHealth::kDead) continue;
    std::string how = p->stop(options_.stop_grace_ms);
    exits.push_back({id, std::move(how), p->cpu_seconds()});
    health_[id] = NodeHealth::kDead;
    dead_.insert(id);
  }
  const Micros t = now();
  scan_logs(t);
  for (const InFlight& m : net_.take_all()) {
    journal_.record(m, Fate::kUndelivered, t, std::nullopt, is_node(m.from));
  }
  return exits;
}

}  // namespace vckv::harness
