// The node's log line for a reap (docs/protocol.md §16, src/node/reaping.cpp):
//   vclock-kv[n1] info: reaped key "x" tombstones [[2], [0, 1]]
//   vclock-kv[n3] info: reaped key "x" tombstones [[2]] (told by n1)
// read back by the harness (from each node's stderr) and the simulator (from each node's log),
// which show and measure reaping. Pure text handling.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vckv::model {

struct ReapLine {
  std::string node;     // n1
  std::string key;      // the key as JSON text: "x" with its quotes, 3 for the integer key 3
  std::string clocks;   // the tombstones' clocks as written: [[2], [0, 1]]
  std::string told_by;  // the replica whose notice reaped it here; empty: its own round
};

// The reap the line reports, or nullopt when it reports none.
inline std::optional<ReapLine> parse_reap_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  constexpr std::string_view kPrefix = "vclock-kv[";
  constexpr std::string_view kMiddle = "] info: reaped key ";
  constexpr std::string_view kTombstones = " tombstones [";
  constexpr std::string_view kToldBy = " (told by ";
  if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::size_t middle = line.find(kMiddle);
  if (middle == std::string_view::npos) return std::nullopt;
  ReapLine r;
  r.node = std::string(line.substr(kPrefix.size(), middle - kPrefix.size()));
  std::string_view rest = line.substr(middle + kMiddle.size());
  // The suffix first (a key's text may hold anything, the clocks only digits, commas, spaces).
  if (!rest.empty() && rest.back() == ')') {
    const std::size_t told = rest.rfind(kToldBy);
    if (told == std::string_view::npos) return std::nullopt;
    r.told_by = std::string(rest.substr(told + kToldBy.size(), rest.size() - 1 - told - kToldBy.size()));
    rest = rest.substr(0, told);
  }
  const std::size_t t = rest.rfind(kTombstones);
  if (t == std::string_view::npos || t == 0 || rest.back() != ']') return std::nullopt;
  r.key = std::string(rest.substr(0, t));
  r.clocks = std::string(rest.substr(t + kTombstones.size() - 1));
  for (char c : r.clocks) {
    if (!(c == '[' || c == ']' || c == ',' || c == ' ' || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  return r;
}

// The clocks of a reap line's clock list, each without trailing zeros ([[2, 0], [0, 1]] ->
// {{2}, {0, 1}}); empty when the text is not such a list.
inline std::vector<std::vector<std::uint64_t>> reap_clocks(std::string_view text) {
  std::vector<std::vector<std::uint64_t>> out;
  std::size_t i = 0;
  auto skip = [&] { while (i < text.size() && text[i] == ' ') ++i; };
  skip();
  if (i >= text.size() || text[i++] != '[') return {};
  for (;;) {
    skip();
    if (i < text.size() && text[i] == ']' && out.empty()) return out;
    if (i >= text.size() || text[i++] != '[') return {};
    std::vector<std::uint64_t> clock;
    for (;;) {
      skip();
      if (i < text.size() && text[i] == ']' && clock.empty()) {
        ++i;
        break;
      }
      std::uint64_t n = 0;
      const std::size_t first = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
      if (i == first) return {};
      clock.push_back(n);
      skip();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == ']') {
        ++i;
        break;
      }
      return {};
    }
    while (!clock.empty() && clock.back() == 0) clock.pop_back();
    out.push_back(std::move(clock));
    skip();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == ']') return ++i, skip(), i == text.size() ? out : decltype(out){};
    return {};
  }
}

}  // namespace vckv::model
