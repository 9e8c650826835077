// For the JSON tests: parse text and render it back as Python's json.dumps would.
#pragma once

#include <string>
#include <string_view>

#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"

namespace vckv::testing {

inline std::string roundtrip(std::string_view text) {
  JValue v;
  std::string error;
  if (!parse_json(text, v, error, 200)) return "ERROR";
  return to_json(v);
}

}  // namespace vckv::testing
