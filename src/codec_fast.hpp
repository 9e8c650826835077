// The codec's fast path (internal): decodes the common client requests (kv_get, kv_put,
// kv_resolve) in one pass over the line, with no tree, rendering the value straight into
// Python json.dumps form. It accepts only a plain subset of JSON (strings without escapes or
// non-ASCII bytes, no floats, no duplicate keys, shallow values) and gives up on anything
// else, so the general path decides every unusual line. Where it accepts a line, its result
// must equal the general path's: the fuzz target checks that on every input.
#pragma once

#include <optional>
#include <string_view>

#include "vckv/codec.hpp"

namespace vckv::detail {

// Fills every field of in (a fresh Incoming, or one an earlier line left, whose buffers are
// reused) and returns true, or returns false when the line is outside the fast subset (in is
// then unspecified). key_ahead is told the key as soon as it is read.
bool decode_fast(std::string_view line, const CodecLimits& limits, Incoming& in,
                 KeyAhead key_ahead = {});

}  // namespace vckv::detail
