#include "vckv/store/conflict_rules.hpp"

#include <algorithm>
#include <cstdint>

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

int lww_clock_order(ClockSlots a, ClockSlots b, bool prefer_smaller) {
  // 1. The sum of the entries: it grows along every causal chain, so the order never puts a
  //    version before one it has seen.
  const Sum sa = sum_of(a), sb = sum_of(b);
  if (!(sa == sb)) return (prefer_smaller ? sa < sb : sb < sa) ? 1 : -1;
  // 2. The clocks zero-padded, entry by entry.
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.size() ? a[i] : 0;
    const std::uint64_t y = i < b.size() ? b[i] : 0;
    if (x != y) return x > y ? 1 : -1;
  }
  return 0;
}

bool lww_wins(VersionView a, VersionView b, bool prefer_smaller) {
  const int by_clock = lww_clock_order(a.slots, b.slots, prefer_smaller);
  if (by_clock != 0) return by_clock > 0;
  // 3. The values' canonical text, bytewise (equal texts: the same value, and neither wins).
  return canonical_json(a.value) > canonical_json(b.value);
}

std::string_view CanonicalTexts::get(std::size_t i, std::string_view value) {
  const char first = value.empty() ? '\0' : value.front();
  if (first == '"' || first == 't' || first == 'f' || first == 'n') return value;
  if (!done_[i]) {
    texts_[i] = canonical_json(value, numbers_by_value_);
    done_[i] = true;
  }
  return texts_[i];
}

bool MergePlan::changed() const {
  return !added.empty() || std::find(keep.begin(), keep.end(), false) != keep.end();
}

namespace {

// lww: one pass, as decide() would rule on each incoming version against the one kept so far.
MergePlan plan_lww(const ConflictRule& rule, const std::vector<VersionView>& stored,
                   const std::vector<VersionView>& incoming, CanonicalTexts& canonical,
                   CanonicalTexts& lww_order) {
  const std::size_t n_stored = stored.size();
  const auto at = [&](std::size_t c) -> const VersionView& {
    return c < n_stored ? stored[c] : incoming[c - n_stored];
  };
  std::size_t kept = n_stored == 0 ? SIZE_MAX : 0;  // the version that stays so far
  for (std::size_t i = 0; i < incoming.size(); ++i) {
    const std::size_t c = n_stored + i;
    if (kept == SIZE_MAX) {
      kept = c;
      continue;
    }
    const VersionView& s = at(kept);
    const VersionView& v = at(c);
    const ClockOrder order = compare_slots(s.slots, v.slots);
    if (order.equal() && canonical.get(kept, s.value) == canonical.get(c, v.value)) continue;
    if (order.a_dominates()) continue;  // a peer's version the kept one dominates
    if (!order.b_dominates()) {
      const int by_clock = lww_clock_order(v.slots, s.slots, rule.debug_lww_prefer_smaller);
      const bool wins = by_clock != 0 ? by_clock > 0
                                      : lww_order.get(c, v.value) > lww_order.get(kept, s.value);
      if (!wins) continue;
    }
    kept = c;
  }
  MergePlan plan;
  plan.keep.assign(n_stored, false);
  if (kept < n_stored) plan.keep[kept] = true;
  if (kept != SIZE_MAX && kept >= n_stored) plan.added.push_back(kept - n_stored);
  return plan;
}

}  // namespace

MergePlan plan_merge(const ConflictRule& rule, const std::vector<VersionView>& stored,
                     const std::vector<VersionView>& incoming, CanonicalTexts& canonical,
                     CanonicalTexts& lww_order) {
  if (rule.mode == ConflictMode::kLww) return plan_lww(rule, stored, incoming, canonical, lww_order);
  // Candidates: stored (0 .. S-1), then incoming. Each one's clock sum and length without
  // trailing zeros ([1] and [1, 0] are one clock).
  const std::size_t n_stored = stored.size();
  const std::size_t count = n_stored + incoming.size();
  const auto at = [&](std::size_t c) -> const VersionView& {
    return c < n_stored ? stored[c] : incoming[c - n_stored];
  };
  std::vector<Sum> sums(count);
  std::vector<std::size_t> lengths(count);
  for (std::size_t c = 0; c < count; ++c) {
    const ClockSlots slots = at(c).slots;
    sums[c] = sum_of(slots);
    std::size_t n = slots.size();
    while (n > 0 && slots[n - 1] == 0) --n;
    lengths[c] = n;
  }
  // < 0: x's clock comes first (the larger sum, then entry by entry); 0: equal clocks.
  const auto clock_cmp = [&](std::size_t x, std::size_t y) {
    if (!(sums[x] == sums[y])) return sums[y] < sums[x] ? -1 : 1;
    const ClockSlots a = at(x).slots, b = at(y).slots;
    const std::size_t n = std::max(lengths[x], lengths[y]);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t p = i < lengths[x] ? a[i] : 0;
      const std::uint64_t q = i < lengths[y] ? b[i] : 0;
      if (p != q) return p > q ? -1 : 1;
    }
    return 0;
  };
  // Sorted so that equal clocks are neighbours (in candidate order among themselves), and a
  // clock comes after every clock that could dominate it (dominating means a larger sum).
  std::vector<std::size_t> order(count);
  for (std::size_t c = 0; c < count; ++c) order[c] = c;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const int by_clock = clock_cmp(x, y);
    return by_clock != 0 ? by_clock < 0 : x < y;
  });
  std::vector<bool> kept(count, false);
  std::vector<std::size_t> maxima;  // one version of each clock no other clock dominates
  for (std::size_t first = 0; first < count;) {
    std::size_t end = first + 1;
    while (end < count && clock_cmp(order[first], order[end]) == 0) ++end;
    const std::size_t rep = order[first];
    // Dominated by a clock kept so far? (One dominated by a clock that is itself dominated is
    // dominated by what dominates that one: the kept clocks are enough to look at.)
    bool dominated = false;
    for (std::size_t m : maxima) {
      if (sums[rep] < sums[m] && slots_descend(at(m).slots, at(rep).slots)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) {
      maxima.push_back(rep);
      // Equal clocks: versions with the same value are one version, the first met.
      if (end - first == 1) {
        kept[rep] = true;
      } else {
        std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(first),
                         order.begin() + static_cast<std::ptrdiff_t>(end),
                         [&](std::size_t x, std::size_t y) {
                           return canonical.get(x, at(x).value) < canonical.get(y, at(y).value);
                         });
        for (std::size_t i = first; i < end; ++i) {
          kept[order[i]] = i == first || canonical.get(order[i], at(order[i]).value) !=
                                             canonical.get(order[i - 1], at(order[i - 1]).value);
        }
      }
    }
    first = end;
  }
  MergePlan plan;
  plan.keep.assign(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(n_stored));
  for (std::size_t c = n_stored; c < count; ++c) {
    if (kept[c]) plan.added.push_back(c - n_stored);
  }
  return plan;
}

}  // namespace vckv
