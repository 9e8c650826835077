#include "harness/repl.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "model/clock_text.hpp"

namespace vckv::harness {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string usage(ReplVerb v) {
  switch (v) {
    case ReplVerb::kPut: return "put NODE KEY VALUE CLOCK, e.g. put n1 x v1 [1,0]";
    case ReplVerb::kResolve: return "resolve NODE KEY VALUE CLOCK, e.g. resolve n1 x v3 [1,1]";
    case ReplVerb::kDelete: return "delete NODE KEY CLOCK, e.g. delete n1 x [2,0]";
    case ReplVerb::kGet: return "get NODE KEY, e.g. get n2 x";
    case ReplVerb::kPartition: return "partition NODES | NODES [| NODES ...], e.g. partition n1 | n2 n3";
    case ReplVerb::kKill: return "kill NODE";
    case ReplVerb::kRestart: return "restart NODE";
    case ReplVerb::kPause: return "pause NODE";
    case ReplVerb::kResume: return "resume NODE";
    case ReplVerb::kWait: return "wait DURATION, e.g. wait 500ms, wait 2s";
    default: return "";
  }
}

}  // namespace

const char* const kReplHelp = R"(commands:
  put NODE KEY VALUE CLOCK      kv_put, e.g. put n1 x v1 [1,0]
  resolve NODE KEY VALUE CLOCK  kv_resolve, e.g. resolve n1 x v3 [1,1]
  delete NODE KEY CLOCK         kv_delete (a tombstone), e.g. delete n1 x [2,0]
  get NODE KEY                  kv_get, e.g. get n2 x
  partition A B | C [| ...]     cut the links between the groups (nodes not named hear everyone)
  heal                          restore every link
  kill NODE / restart NODE      SIGKILL it; start it again (empty store) and send init
  pause NODE / resume NODE      SIGSTOP / SIGCONT (messages to it wait meanwhile)
  wait DURATION                 let the cluster run: 500ms, 2s, 1.5s (a bare number is ms)
  state [KEY ...]               every node's siblings of these keys (default: every key used so far)
  help                          this text
  quit                          stop the nodes and write the session's files (end of input does too)
KEY: 3 is an integer key, x or "x" a string key. VALUE: JSON (42, "s", {"a": 1}) or a bare word
(v1 means "v1"). CLOCK: a JSON array of non-negative integers, e.g. [1,0].
)";

std::optional<std::vector<std::string>> repl_tokens(const std::string& line, std::string& error) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
      continue;
    }
    if (line[i] == '|') {
      out.emplace_back("|");
      ++i;
      continue;
    }
    std::string tok;
    int depth = 0;
    bool in_string = false;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (in_string) {
        tok += c;
        if (c == '\\' && i + 1 < line.size()) {
          tok += line[++i];
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (depth == 0 && (std::isspace(static_cast<unsigned char>(c)) || c == '|')) break;
      if (c == '"') in_string = true;
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
      tok += c;
    }
    if (in_string) {
      error = "unterminated string: " + tok;
      return std::nullopt;
    }
    if (depth != 0) {
      error = "unbalanced brackets: " + tok;
      return std::nullopt;
    }
    out.push_back(std::move(tok));
  }
  return out;
}

std::optional<double> parse_duration_ms(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string unit = text.substr(used);
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  if (unit.empty() || unit == "ms") return v;
  if (unit == "s") return v * 1000;
  return std::nullopt;
}

json parse_repl_key(const std::string& token) {
  const json j = json::parse(token, nullptr, false);
  if (!j.is_discarded() && (j.is_number_integer() || j.is_string())) return j;
  return json(token);
}

ReplParse parse_repl_line(const std::string& line, const std::vector<std::string>& nodes) {
  ReplParse r;
  std::string error;
  auto tokens = repl_tokens(line, error);
  if (!tokens) {
    r.error = error;
    return r;
  }
  ReplCommand cmd;
  if (tokens->empty() || (*tokens)[0][0] == '#') {
    r.command = cmd;
    return r;
  }
  const std::vector<std::string>& t = *tokens;
  const std::string& verb = t[0];
  auto known_node = [&](const std::string& n) -> bool {
    if (std::find(nodes.begin(), nodes.end(), n) != nodes.end()) return true;
    std::string list;
    for (const std::string& x : nodes) list += (list.empty() ? "" : " ") + x;
    r.error = "unknown node " + n + " (the nodes are " + list + ")";
    return false;
  };
  static const std::vector<std::pair<std::string, ReplVerb>> verbs = {
      {"put", ReplVerb::kPut},         {"resolve", ReplVerb::kResolve}, {"get", ReplVerb::kGet},
      {"delete", ReplVerb::kDelete},
      {"partition", ReplVerb::kPartition}, {"heal", ReplVerb::kHeal},  {"kill", ReplVerb::kKill},
      {"restart", ReplVerb::kRestart}, {"pause", ReplVerb::kPause},     {"resume", ReplVerb::kResume},
      {"wait", ReplVerb::kWait},       {"state", ReplVerb::kState},     {"help", ReplVerb::kHelp},
      {"quit", ReplVerb::kQuit},       {"exit", ReplVerb::kQuit}};
  auto found = std::find_if(verbs.begin(), verbs.end(), [&](const auto& p) { return p.first == verb; });
  if (found == verbs.end()) {
    r.error = "unknown command \"" + verb + "\" (try help)";
    return r;
  }
  cmd.verb = found->second;
  auto want = [&](std::size_t n) {
    if (t.size() == n) return true;
    r.error = "expected " + usage(cmd.verb);
    return false;
  };
  auto want_clock = [&](const std::string& text) {
    const json c = json::parse(text, nullptr, false);
    const bool ok = !c.is_discarded() && c.is_array() &&
                    std::all_of(c.begin(), c.end(), [](const json& s) { return s.is_number_unsigned(); });
    if (!ok) {
      r.error = "the clock must be a JSON array of non-negative integers such as [1,0], got " + text;
      return false;
    }
    cmd.clock = c;
    return true;
  };
  switch (cmd.verb) {
    case ReplVerb::kPut:
    case ReplVerb::kResolve: {
      if (!want(5) || !known_node(t[1])) return r;
      cmd.node = t[1];
      cmd.key = parse_repl_key(t[2]);
      const json v = json::parse(t[3], nullptr, false);
      cmd.value = v.is_discarded() ? json(t[3]) : v;
      if (!want_clock(t[4])) return r;
      break;
    }
    case ReplVerb::kDelete:
      if (!want(4) || !known_node(t[1])) return r;
      cmd.node = t[1];
      cmd.key = parse_repl_key(t[2]);
      if (!want_clock(t[3])) return r;
      break;
    case ReplVerb::kGet:
      if (!want(3) || !known_node(t[1])) return r;
      cmd.node = t[1];
      cmd.key = parse_repl_key(t[2]);
      break;
    case ReplVerb::kKill:
    case ReplVerb::kRestart:
    case ReplVerb::kPause:
    case ReplVerb::kResume:
      if (!want(2) || !known_node(t[1])) return r;
      cmd.node = t[1];
      break;
    case ReplVerb::kPartition: {
      std::set<std::string> seen;
      cmd.groups.emplace_back();
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i] == "|") {
          cmd.groups.emplace_back();
          continue;
        }
        if (!known_node(t[i])) return r;
        if (!seen.insert(t[i]).second) {
          r.error = "node " + t[i] + " is named twice";
          return r;
        }
        cmd.groups.back().push_back(t[i]);
      }
      if (cmd.groups.size() < 2 || std::any_of(cmd.groups.begin(), cmd.groups.end(), [](const auto& g) { return g.empty(); })) {
        r.error = "expected " + usage(cmd.verb);
        return r;
      }
      break;
    }
    case ReplVerb::kWait: {
      if (!want(2)) return r;
      auto ms = parse_duration_ms(t[1]);
      if (!ms || *ms > 3600e3) {
        r.error = "wait: expected a duration such as 500ms, 2s or 1.5s (at most 1 hour), got " + t[1];
        return r;
      }
      cmd.wait_ms = *ms;
      break;
    }
    case ReplVerb::kState:
      for (std::size_t i = 1; i < t.size(); ++i) cmd.keys.push_back(parse_repl_key(t[i]));
      break;
    case ReplVerb::kHeal:
    case ReplVerb::kHelp:
    case ReplVerb::kQuit:
      if (!want(1)) {
        r.error = verb + " takes no arguments";
        return r;
      }
      break;
    case ReplVerb::kNothing:
      break;
  }
  r.command = cmd;
  return r;
}

std::string describe_reply(const std::string& node, const ReplCommand& cmd, const json* reply, double timeout_ms) {
  std::string out = node + ": ";
  if (!reply) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "no reply within %g ms", timeout_ms);
    return out + buf;
  }
  const std::string type = reply->value("type", "");
  if (type == "error") {
    out += "error " + dump(reply->value("code", json())) ;
    if (reply->contains("text")) out += ": " + (*reply)["text"].get<std::string>();
    return out;
  }
  if (cmd.verb == ReplVerb::kGet && type == "kv_get_ok" && reply->contains("values") && (*reply)["values"].is_array()) {
    const json& values = (*reply)["values"];
    const json deleted = reply->value("deleted", json::array());
    const std::size_t tombstones = deleted.is_array() ? deleted.size() : 0;
    out += "key " + dump(cmd.key) + ": ";
    if (values.empty() && tombstones == 0) return out + "no value";
    const std::size_t n = values.size() + tombstones;
    out += std::to_string(n) + (n == 1 ? " sibling: " : " siblings: ");
    for (std::size_t i = 0; i < values.size(); ++i) {
      out += (i ? " | " : "") + dump(values[i].value("value", json())) + " " + model::clock_text(values[i].value("clock", json()));
    }
    for (std::size_t i = 0; i < tombstones; ++i) {
      out += (values.size() + i ? " | " : "") + std::string("deleted ") + model::clock_text(deleted[i]);
    }
    return out;
  }
  if (type == "kv_put_ok" || type == "kv_resolve_ok" || type == "kv_delete_ok") {
    out += reply->value("status", "?");
    if (reply->contains("siblings")) out += ", " + dump((*reply)["siblings"]) + " siblings";
    return out;
  }
  return out + "unexpected reply " + dump(*reply);
}

}  // namespace vckv::harness
