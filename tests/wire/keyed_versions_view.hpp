// Tests read a sync's or hint's versions by name. A node writes a plain version as a tuple,
// [key, value, clock], and a tombstone or a dotted version as an object ({"key": K, "clock":
// C, "deleted": true}); these give every one as an object, as the peer's decoder reads it.
#pragma once

#include <nlohmann/json.hpp>

namespace vckv::test {

inline nlohmann::json version_object(const nlohmann::json& v) {
  if (!v.is_array()) return v;
  return nlohmann::json{{"key", v.at(0)}, {"value", v.at(1)}, {"clock", v.at(2)}};
}

// body["versions"], when it is an array, with every item as an object.
inline void versions_as_objects(nlohmann::json& body) {
  if (!body.is_object() || !body.contains("versions") || !body["versions"].is_array()) return;
  for (nlohmann::json& v : body["versions"]) v = version_object(v);
}

}  // namespace vckv::test
