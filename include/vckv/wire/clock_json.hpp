// A vector clock's JSON form (docs/protocol.md §5): the one place that decides what a valid
// clock is — both request decoders and the harness read clocks through here — and the clock's
// rendering through the JSON writer.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vckv/errors.hpp"
#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/store/vector_clock.hpp"
#include "vckv/store/version.hpp"

namespace vckv {

// The value of a clock entry written as the JSON integer text `digits` ("7", "-3",
// "18446744073709551616"): a non-negative integer of at most 64 bits; otherwise nullopt.
// (Inline: the one-pass decoder calls it for every entry of every clock.)
inline std::optional<std::uint64_t> clock_entry(std::string_view digits) {
  std::uint64_t n = 0;
  if (digits.empty() || digits.front() == '-') return std::nullopt;
  const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size()) return std::nullopt;
  return n;
}

// Reads the clock field v of a request of this type (v null when the field is missing) into
// clock: an array of at most max_entries clock entries. On error, clock is unspecified and the
// error names the field: "kv_put: clock[1] must be a non-negative integer, got -3".
std::optional<Error> read_clock(std::string_view type, const JValue* v, std::size_t max_entries,
                                VectorClock& clock);
// The same from JSON text (e.g. a clock in a node's reply, as the harness reads it).
std::optional<Error> parse_clock(std::string_view json_text, std::size_t max_entries,
                                 VectorClock& clock);

// "[1, 0]": written into room for clock_json_max_size(slots.size()) bytes, or appended.
constexpr std::size_t clock_json_max_size(std::size_t entries) {
  return uint_array_max_size(entries);
}
inline char* write_clock_json(char* out, ClockSlots slots) {
  return write_uint_array(out, slots.size(), [&](std::size_t i) { return slots[i]; });
}
void append_clock_json(std::string& out, ClockSlots slots);
std::string clock_json(ClockSlots slots);
inline std::string clock_json(const VectorClock& clock) { return clock_json(clock.slots()); }

// "value@clock" of each sibling, space-separated, e.g. "\"a\"@[1, 0] \"b\"@[0, 1]" (for tests
// and logs).
std::string describe(Siblings siblings);

}  // namespace vckv
