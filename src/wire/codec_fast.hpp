// The codec's fast path (internal): decodes the common client requests (bodies of the shapes
// {key} and {key, value, clock}, for the types the catalog allows them) in one pass over the
// line, with no tree, rendering the value straight into Python json.dumps form. It accepts only a plain subset of JSON (strings without escapes or
// non-ASCII bytes, no floats, no duplicate keys, shallow values) and gives up on anything
// else, so the general path decides every unusual line. Where it accepts a line, its result
// must equal the general path's: the fuzz target checks that on every input.
#pragma once

#include <optional>
#include <string_view>

#include "vckv/wire/codec.hpp"

namespace vckv::detail {

// Fills every field of in but reply_body (a fresh Incoming, or one an earlier line left, whose
// buffers are reused; reply_body must be empty) and returns true, or returns false when the line is outside the fast subset (in is
// then unspecified). key_ahead is told the key as soon as it is read.
bool decode_fast(std::string_view line, const CodecLimits& limits, const MessageCatalog& catalog,
                 Incoming& in, KeyAhead key_ahead = {});

}  // namespace vckv::detail
