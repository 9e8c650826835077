#include "vckv/store/conflict_rules.hpp"

namespace vckv {

namespace {

// The exact sum of a clock's entries: up to 2^24 entries below 2^64 fit in 128 bits, kept as
// two 64-bit halves (no compiler extension needed).
struct Sum {
  std::uint64_t high = 0, low = 0;
  void add(std::uint64_t x) {
    low += x;
    if (low < x) ++high;  // carried
  }
  bool operator<(const Sum& o) const { return high != o.high ? high < o.high : low < o.low; }
  bool operator==(const Sum& o) const { return high == o.high && low == o.low; }
};

Sum sum_of(ClockSlots c) {
  Sum s;
  for (std::size_t i = 0; i < c.size(); ++i) s.add(c[i]);
  return s;
}

}  // namespace

bool lww_wins(VersionView a, VersionView b, bool prefer_smaller) {
  // 1. The sum of the entries: it grows along every causal chain, so the order never puts a
  //    version before one it has seen.
  const Sum sa = sum_of(a.slots), sb = sum_of(b.slots);
  if (!(sa == sb)) return prefer_smaller ? sa < sb : sb < sa;
  // 2. The clocks zero-padded, entry by entry.
  const std::size_t n = std::max(a.slots.size(), b.slots.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.slots.size() ? a.slots[i] : 0;
    const std::uint64_t y = i < b.slots.size() ? b.slots[i] : 0;
    if (x != y) return x > y;
  }
  // 3. The values' canonical text, bytewise (equal texts: the same value, and neither wins).
  return canonical_json(a.value) > canonical_json(b.value);
}

}  // namespace vckv
