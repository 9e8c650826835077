// The model's one door to the node's core library for clocks: vckv::VectorClock (comparisons,
// join), read and written by the node's own clock code (wire/clock_json.hpp), so a clock the
// model accepts is one the node would accept, and its text is the node's ("[1, 0, 2]").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vckv/store/vector_clock.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv::model {

using vckv::VectorClock;

// Python json.dumps form: "[1, 0, 2]".
inline std::string clock_text(const VectorClock& clock) { return vckv::clock_json(clock); }

// A clock as it arrived in JSON, validated as the node validates clocks; else nullopt.
inline std::optional<VectorClock> clock_from_json(const nlohmann::json& j) {
  VectorClock clock;
  if (vckv::parse_clock(j.dump(), SIZE_MAX, clock)) return std::nullopt;
  return clock;
}

// The text form of a JSON clock whatever it holds, for reports ("[1, 0]"; "[]" when it is not
// an array).
inline std::string clock_text(const nlohmann::json& clock) {
  std::string out = "[";
  for (std::size_t i = 0; clock.is_array() && i < clock.size(); ++i) {
    if (i) out += ", ";
    out += clock[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out + "]";
}

}  // namespace vckv::model
