#include "model/check/outcome.hpp"

namespace vckv::model {

const char* op_class_name(OpClass c) {
  switch (c) {
    case OpClass::kOk: return "ok";
    case OpClass::kConflict: return "conflict";
    case OpClass::kStale: return "stale";
    case OpClass::kSuperseded: return "superseded";
    case OpClass::kError: return "error";
    case OpClass::kIndeterminate: return "indeterminate";
  }
  return "?";
}

const char* jepsen_type(OpClass c) {
  switch (c) {
    case OpClass::kOk:
    case OpClass::kConflict: return "ok";
    case OpClass::kStale:
    case OpClass::kSuperseded:
    case OpClass::kError: return "fail";
    case OpClass::kIndeterminate: return "info";
  }
  return "?";
}

}  // namespace vckv::model
