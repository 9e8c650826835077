#include "reports/serve.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/check/verdict.hpp"
#include "reports/files/run_view.hpp"

namespace vckv::reports {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kStyle =
    "<style>body{font-family:sans-serif;margin:18px;color:#222}table{border-collapse:collapse}"
    "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}"
    ".valid{background:#c8ecc8}.invalid{background:#f6c4c4}.unknown{background:#fbe3a6}.session{background:#dde6f5}"
    ".none{background:#eee}a{color:#1a5fb4}img{max-width:1000px;display:block;margin:8px 0}"
    "pre{background:#f6f6f6;padding:8px;border:1px solid #ddd;max-width:1100px;white-space:pre-wrap;font-size:12px}</style>";

std::string h(const std::string& s) { return xml_escape(s); }

std::string link(const std::string& rel, const std::string& file, const std::string& label) {
  return "<a href=\"/" + h(url_encode_path(rel + "/" + file)) + "\">" + h(label) + "</a>";
}

bool send_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void respond(int fd, int status, const std::string& reason, const std::string& type, const std::string& body,
             bool head_only) {
  std::ostringstream r;
  r << "HTTP/1.0 " << status << " " << reason << "\r\nContent-Type: " << type << "\r\nContent-Length: " << body.size()
    << "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  const std::string head = r.str();
  if (send_all(fd, head.data(), head.size()) && !head_only) send_all(fd, body.data(), body.size());
}

void respond_file(int fd, const fs::path& file, bool head_only) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (!in || ec) {
    respond(fd, 500, "Internal Server Error", "text/plain", "cannot read the file\n", head_only);
    return;
  }
  std::ostringstream r;
  r << "HTTP/1.0 200 OK\r\nContent-Type: " << content_type(file.string()) << "\r\nContent-Length: " << size
    << "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  const std::string head = r.str();
  if (!send_all(fd, head.data(), head.size()) || head_only) return;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0 && !send_all(fd, buf, static_cast<std::size_t>(in.gcount()))) return;
  }
}

// Answers one complete request head on fd.
void handle(int fd, const fs::path& root, const std::string& head) {
  auto req = parse_request_head(head);
  if (!req) {
    respond(fd, 400, "Bad Request", "text/plain", "malformed request\n", false);
    return;
  }
  const bool head_only = req->method == "HEAD";
  if (req->method != "GET" && !head_only) {
    respond(fd, 405, "Method Not Allowed", "text/plain", "GET or HEAD only\n", false);
    return;
  }
  auto rel = store_relative(req->path);
  if (!rel) {
    respond(fd, 400, "Bad Request", "text/plain", "bad path\n", head_only);
    return;
  }
  if (rel->empty()) {
    respond(fd, 200, "OK", "text/html; charset=utf-8", index_page(root.string(), list_runs(root.string())), head_only);
    return;
  }
  std::error_code ec;
  const fs::path target = fs::weakly_canonical(root / *rel, ec);
  const std::string prefix = root.string() + "/";
  if (ec || (target != root && target.string().rfind(prefix, 0) != 0) || !fs::exists(target)) {
    respond(fd, 404, "Not Found", "text/plain", "no such file in the store: " + *rel + "\n", head_only);
    return;
  }
  if (fs::is_directory(target)) {
    std::string r = *rel;
    while (!r.empty() && r.back() == '/') r.pop_back();
    const bool is_run = fs::exists(target / "results.json") || fs::exists(target / "history.jsonl");
    respond(fd, 200, "OK", "text/html; charset=utf-8",
            is_run ? run_page(root.string(), r, target.string()) : listing_page(r, target.string()), head_only);
    return;
  }
  respond_file(fd, target, head_only);
}

}  // namespace

std::optional<std::string> url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return std::nullopt;
      }
      const char c = static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      if (c == '\0') return std::nullopt;
      out += c;
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string url_encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::optional<HttpRequest> parse_request_head(std::string_view head) {
  const auto eol = head.find_first_of("\r\n");
  const std::string_view line = head.substr(0, eol);
  const auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  const auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) return std::nullopt;
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (const auto q = target.find_first_of("?#"); q != std::string_view::npos) target = target.substr(0, q);
  auto path = url_decode(target);
  if (!path || path->empty() || (*path)[0] != '/') return std::nullopt;
  return HttpRequest{std::string(line.substr(0, sp1)), *path};
}

std::optional<std::string> store_relative(const std::string& url_path) {
  if (url_path.empty() || url_path[0] != '/') return std::nullopt;
  std::string out;
  std::stringstream parts(url_path.substr(1));
  for (std::string seg; std::getline(parts, seg, '/');) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") return std::nullopt;
    out += (out.empty() ? "" : "/") + seg;
  }
  return out;
}

std::string content_type(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".json") return "application/json";
  return "text/plain; charset=utf-8";  // .jsonl, .txt, .log, .dat, .gnuplot and the rest
}

std::string index_page(const std::string& store, const std::vector<RunEntry>& runs) {
  std::ostringstream p;
  p << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>vckv-harness store</title>" << kStyle
    << "</head><body><h1>Runs in " << h(store) << "</h1>\n<p>" << runs.size()
    << " runs, newest first. Reload for new ones.</p>\n<table id=\"runs\"><tr><th>time</th><th>test</th>"
       "<th>verdict</th><th>what</th><th>diagrams</th><th>plots</th><th>data</th></tr>\n";
  for (const RunEntry& r : runs) {
    const std::string cls = r.verdict.empty() ? "none" : r.verdict;
    p << "<tr class=\"run\"><td><a href=\"/" << h(url_encode_path(r.path)) << "/\">" << h(r.time) << "</a></td><td>"
      << h(r.test) << "</td><td class=\"verdict " << h(cls) << "\">" << h(r.verdict.empty() ? "(no result)" : r.verdict)
      << "</td><td>" << h(r.summary) << "</td><td>" << link(r.path, "messages.svg", "messages") << " "
      << link(r.path, "timeline.html", "timeline") << "</td><td>" << link(r.path, "latency-raw.png", "latency") << " "
      << link(r.path, "rate.png", "rate") << " " << link(r.path, "siblings.png", "siblings") << "</td><td>"
      << link(r.path, "results.json", "results") << " " << link(r.path, "history.txt", "history") << " "
      << link(r.path, "explain.txt", "explain") << "</td></tr>\n";
  }
  p << "</table></body></html>\n";
  return p.str();
}

std::string run_page(const std::string& store, const std::string& rel, const std::string& dir) {
  std::ostringstream p;
  json results;
  {
    std::ifstream in(dir + "/results.json");
    if (in) results = json::parse(in, nullptr, false);
  }
  const std::string verdict = results.is_object() ? results.value("verdict", "") : "";
  p << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << h(rel) << "</title>" << kStyle
    << "</head><body><p><a href=\"/\">all runs in " << h(store) << "</a></p><h1>" << h(rel) << "</h1>\n";
  if (!verdict.empty()) {
    p << "<p>verdict: <span class=\"verdict " << h(verdict) << "\">&nbsp;" << h(verdict) << "&nbsp;</span></p>\n";
    if (results.contains("reasons") && results["reasons"].is_array() && !results["reasons"].empty()) {
      p << "<ul>";
      for (const json& r : results["reasons"]) p << "<li>" << h(r.is_string() ? r.get<std::string>() : r.dump()) << "</li>";
      p << "</ul>\n";
    }
  }
  // The summary the run printed: its numbers, then the verdict line.
  {
    std::ifstream in(dir + "/summary.txt");
    if (in) {
      std::ostringstream text;
      text << in.rdbuf();
      p << "<h2>Summary</h2>\n<pre id=\"summary\">" << h(text.str()) << "</pre>\n";
    }
  }
  p << "<p>" << link(rel, "messages.svg", "messages.svg (Lamport diagram)") << " &middot; "
    << link(rel, "timeline.html", "timeline.html") << " &middot; " << link(rel, "explain.txt", "explain.txt")
    << " &middot; " << link(rel, "history.txt", "history.txt") << " &middot; "
    << link(rel, "results.json", "results.json") << " &middot; " << link(rel, "summary.txt", "summary.txt")
    << " &middot; " << link(rel, "history.edn", "history.edn") << "</p>\n";
  for (const char* png : {"latency-raw.png", "latency-quantiles.png", "rate.png", "siblings.png", "network.png"}) {
    if (fs::exists(fs::path(dir) / png)) {
      p << "<img alt=\"" << png << "\" src=\"/" << h(url_encode_path(rel + "/" + png)) << "\">\n";
    }
  }
  p << "<h2>Files</h2>\n" << listing_page(rel, dir).substr(0);
  p << "</body></html>\n";
  return p.str();
}

std::string listing_page(const std::string& rel, const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> entries;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!name.empty() && name[0] == '.') continue;
    std::error_code ec2;
    const bool is_dir = e.is_directory(ec2);
    std::string size = is_dir ? "dir" : std::to_string(e.file_size(ec2)) + " bytes";
    entries.emplace_back(name + (is_dir ? "/" : ""), size);
  }
  std::sort(entries.begin(), entries.end());
  std::ostringstream p;
  p << "<table class=\"files\">";
  if (!rel.empty()) {
    const auto up = rel.rfind('/');
    p << "<tr><td><a href=\"/" << h(url_encode_path(up == std::string::npos ? "" : rel.substr(0, up)))
      << "\">..</a></td><td></td></tr>";
  }
  for (const auto& [name, size] : entries) {
    p << "<tr><td><a href=\"/" << h(url_encode_path(rel.empty() ? name : rel + "/" + name)) << "\">" << h(name)
      << "</a></td><td>" << h(size) << "</td></tr>";
  }
  p << "</table>\n";
  return p.str();
}

int run_serve(const ServeOptions& o) {
  ::signal(SIGPIPE, SIG_IGN);
  std::error_code ec;
  if (!fs::is_directory(o.store, ec)) {
    std::cerr << "serve: " << o.store << " is not a directory (run a test first, or pass --store DIR)\n";
    return model::kExitUsage;
  }
  const fs::path root = fs::canonical(o.store, ec);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::cerr << "serve: socket: " << std::strerror(errno) << "\n";
    return model::kExitHarnessError;
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(o.port));
  if (::inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1) {
    std::cerr << "serve: --host must be an IPv4 address such as 127.0.0.1, got " << o.host << "\n";
    ::close(fd);
    return model::kExitUsage;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    std::cerr << "serve: cannot listen on " << o.host << ":" << o.port << ": " << std::strerror(errno) << "\n";
    ::close(fd);
    return model::kExitHarnessError;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::cout << "serving " << root.string() << " at http://" << o.host << ":" << ntohs(addr.sin_port) << "/"
            << std::endl;
  // Connections are read without blocking (a browser opens some it never uses); a complete
  // request head is answered at once and the connection closed.
  struct Conn {
    int fd;
    std::string head;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Conn> conns;
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign(1, pollfd{fd, POLLIN, 0});
    for (const Conn& c : conns) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) {
      std::cerr << "serve: poll: " << std::strerror(errno) << "\n";
      return model::kExitHarnessError;
    }
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 1; i < fds.size(); ++i) {
      Conn& c = conns[i - 1];
      bool done = now - c.since > std::chrono::seconds(10);
      if (fds[i].revents != 0 && !done) {
        char buf[4096];
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) {
          done = n == 0 || (errno != EAGAIN && errno != EINTR);
        } else {
          c.head.append(buf, static_cast<std::size_t>(n));
          if (c.head.find("\r\n\r\n") != std::string::npos || c.head.find("\n\n") != std::string::npos ||
              c.head.size() > 16384) {
            timeval tv{10, 0};
            ::setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            handle(c.fd, root, c.head);
            ::shutdown(c.fd, SHUT_WR);
            done = true;
          }
        }
      }
      if (done) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    conns.erase(std::remove_if(conns.begin(), conns.end(), [](const Conn& c) { return c.fd < 0; }), conns.end());
    if (fds[0].revents & POLLIN) {
      const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        conns.push_back({c, "", now});
      } else if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
        std::cerr << "serve: accept: " << std::strerror(errno) << "\n";
        ::close(fd);
        return model::kExitHarnessError;
      }
    }
  }
}

}  // namespace vckv::reports
