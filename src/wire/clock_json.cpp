#include "vckv/wire/clock_json.hpp"

#include "vckv/json/writer.hpp"

namespace vckv {

std::optional<Error> read_clock(std::string_view type, const JValue* v, std::size_t max_entries,
                                VectorClock& clock) {
  constexpr std::string_view kWhat = "an array of non-negative integers";
  const std::string prefix = std::string(type) + ": ";
  auto malformed = [&](const std::string& text) {
    return Error{ErrorCode::kMalformedRequest, prefix + text};
  };
  if (!v) return malformed("clock is missing; expected " + std::string(kWhat));
  if (v->kind != JValue::Kind::Array) {
    return malformed("clock must be " + std::string(kWhat) + ", got " + json_excerpt(*v));
  }
  if (v->items.size() > max_entries) {
    return malformed("clock has " + std::to_string(v->items.size()) +
                     " entries, more than --max-clock-entries (" + std::to_string(max_entries) +
                     ")");
  }
  std::vector<std::uint64_t>& slots = clock.mutable_slots();
  slots.clear();
  slots.reserve(v->items.size());
  for (std::size_t i = 0; i < v->items.size(); ++i) {
    const JValue& item = v->items[i];
    const std::string field = "clock[" + std::to_string(i) + "]";
    if (item.kind != JValue::Kind::Int || item.text.front() == '-') {
      return malformed(field + " must be a non-negative integer, got " + json_excerpt(item));
    }
    const auto n = clock_entry(item.text);
    if (!n) {
      return malformed(field + " must be at most 18446744073709551615, got " + json_excerpt(item));
    }
    slots.push_back(*n);
  }
  return std::nullopt;
}

std::optional<Error> parse_clock(std::string_view json_text, std::size_t max_entries,
                                 VectorClock& clock) {
  JValue v;
  std::string parse_error;
  if (!parse_json(json_text, v, parse_error, 2)) {
    return Error{ErrorCode::kMalformedRequest, "clock is not JSON: " + parse_error};
  }
  return read_clock("clock", &v, max_entries, clock);
}

void append_clock_json(std::string& out, ClockSlots slots) {
  const std::size_t old = out.size();
  out.resize(old + clock_json_max_size(slots.size()));
  char* end = write_clock_json(out.data() + old, slots);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

std::string clock_json(ClockSlots slots) {
  std::string out;
  append_clock_json(out, slots);
  return out;
}

std::string describe(Siblings siblings) {
  std::string out;
  for (VersionView v : siblings) {
    if (!out.empty()) out += ' ';
    out += v.tombstone() ? std::string_view("~") : v.value;  // ~: a tombstone (§16)
    out += '@';
    append_clock_json(out, v.slots);
  }
  return out;
}

}  // namespace vckv
