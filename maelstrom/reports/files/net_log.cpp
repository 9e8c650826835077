#include "reports/files/net_log.hpp"

#include <charconv>
#include <cstdio>

namespace vckv::reports {

namespace {

using json = nlohmann::json;

void append_ms(std::string& out, Micros us) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(us) / 1000.0);
  out.append(buf, static_cast<std::size_t>(n));
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

void bump(std::vector<std::uint32_t>& bins, Micros at) {
  const auto second = static_cast<std::size_t>(std::max<Micros>(0, at) / 1'000'000);
  if (bins.size() <= second) bins.resize(second + 1, 0);
  ++bins[second];
}

constexpr std::string_view kPrefix = "{\"send_ms\":";

}  // namespace

std::string journal_line(const InFlight& m, Fate fate, Micros at, std::optional<model::DropReason> why) {
  std::string out(kPrefix);
  append_ms(out, m.sent_at);
  out += ",\"id\":" + std::to_string(m.id);
  out += ",\"from\":" + json(m.from).dump();
  out += ",\"to\":" + json(m.to).dump();
  out += ",\"type\":" + json(m.type).dump(-1, ' ', false, json::error_handler_t::replace);
  if (fate == Fate::kDelivered) {
    out += ",\"deliver_ms\":";
    append_ms(out, at);
  } else if (fate == Fate::kDropped) {
    out += ",\"drop_ms\":";
    append_ms(out, at);
    out += ",\"dropped\":\"";
    out += why ? model::drop_reason_name(*why) : "?";
    out += '"';
  } else {
    out += ",\"undelivered\":true";
  }
  out += ",\"msg\":";
  out += trimmed(m.line);
  out += '}';
  return out;
}

std::optional<double> journal_send_ms(std::string_view line) {
  if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  double v = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

std::optional<JournalEntry> parse_journal_line(std::string_view line, bool with_msg) {
  if (!journal_send_ms(line)) return std::nullopt;
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    JournalEntry e;
    e.send_ms = j.at("send_ms").get<double>();
    e.id = j.at("id").get<std::uint64_t>();
    e.from = j.at("from").get<std::string>();
    e.to = j.at("to").get<std::string>();
    e.type = j.at("type").get<std::string>();
    if (j.contains("deliver_ms")) {
      e.fate = Fate::kDelivered;
      e.at_ms = j["deliver_ms"].get<double>();
    } else if (j.contains("drop_ms")) {
      e.fate = Fate::kDropped;
      e.at_ms = j["drop_ms"].get<double>();
      e.drop_reason = j.value("dropped", "");
    } else {
      e.fate = Fate::kUndelivered;
      e.at_ms = e.send_ms;
    }
    if (with_msg) e.msg = std::move(j["msg"]);
    return e;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

void MessageStats::count(const InFlight& m, Fate fate, std::optional<model::DropReason> why, bool node_to_node) {
  TypeCounts& c = (node_to_node ? node_ : client_)[m.type];
  const std::uint64_t bytes = m.line.size() + 1;
  ++c.sent;
  c.bytes_sent += bytes;
  if (fate == Fate::kDropped) c.bytes_dropped += bytes;
  if (fate == Fate::kDelivered) ++c.delivered;
  if (fate == Fate::kUndelivered) ++c.undelivered;
  if (fate == Fate::kDropped) (why == model::DropReason::kPartition ? c.dropped_partition : c.dropped_dead)++;
  if (!node_to_node) {
    if (fate == Fate::kDropped) ++client_dropped_;
    return;
  }
  ++node_sent_;
  node_bytes_sent_ += bytes;
  if (fate == Fate::kDropped) node_bytes_dropped_ += bytes;
  if (fate == Fate::kDelivered) ++node_delivered_;
  if (fate == Fate::kUndelivered) ++node_undelivered_;
  if (fate == Fate::kDropped) {
    (why == model::DropReason::kPartition ? node_dropped_partition_ : node_dropped_dead_)++;
    bump(dropped_per_second_, m.sent_at);
  }
  bump(per_second_[m.type], m.sent_at);
}

json MessageStats::to_json() const {
  auto table = [](const std::map<std::string, TypeCounts>& by_type) {
    json out = json::object();
    for (const auto& [type, c] : by_type) {
      out[type] = {{"sent", c.sent}, {"delivered", c.delivered}, {"dropped_partition", c.dropped_partition},
                   {"dropped_dead_node", c.dropped_dead}, {"undelivered", c.undelivered},
                   {"bytes_sent", c.bytes_sent}, {"bytes_dropped", c.bytes_dropped}};
    }
    return out;
  };
  return {{"node_to_node", table(node_)}, {"client", table(client_)}};
}

}  // namespace vckv::reports
