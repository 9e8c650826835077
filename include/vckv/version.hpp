// The node's version: the one place it is written (CMakeLists.txt reads it from here).
#pragma once

namespace vckv {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace vckv
