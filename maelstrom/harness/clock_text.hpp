// The harness's one door to the node's core library: vckv::VectorClock (comparisons, join).
// Clocks cross the wire as JSON arrays; this file reads them and writes their text form, as
// the node prints them ("[1, 0, 2]"), for every report of the harness.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vckv/vector_clock.hpp"

namespace vckv::harness {

using vckv::VectorClock;

// Python json.dumps form: "[1, 0, 2]".
inline std::string clock_text(const VectorClock& clock) {
  std::string out = "[";
  for (std::size_t i = 0; i < clock.slots().size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(clock.slots()[i]);
  }
  return out + "]";
}

// A clock as it arrived in JSON: an array of non-negative integers, else nullopt.
inline std::optional<VectorClock> clock_from_json(const nlohmann::json& j) {
  if (!j.is_array()) return std::nullopt;
  std::vector<std::uint64_t> slots;
  for (const nlohmann::json& s : j) {
    if (!s.is_number_unsigned()) return std::nullopt;
    slots.push_back(s.get<std::uint64_t>());
  }
  return VectorClock(std::move(slots));
}

// The same text form for a JSON clock, whatever it holds ("[1, 0]"; "[]" for a non-array).
inline std::string clock_text(const nlohmann::json& clock) {
  std::string out = "[";
  for (std::size_t i = 0; clock.is_array() && i < clock.size(); ++i) {
    if (i) out += ", ";
    out += clock[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out + "]";
}

}  // namespace vckv::harness
