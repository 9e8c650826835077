// Shared by the storage tests: versions that own their bytes, a recovered state rendered as a
// short string, and a model of what the durable store should recover (the same maps, applied
// record by record).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "vckv/storage/durable_store.hpp"
#include "vckv/storage/log_record.hpp"

namespace vckv::storage_test {

// How many seeds a randomized test runs: its default, or VCKV_STORAGE_SEEDS for a longer run
// (VCKV_STORAGE_SEEDS=5000 ctest -R DurableStore).
inline std::uint64_t seed_count(std::uint64_t default_count) {
  const char* env = std::getenv("VCKV_STORAGE_SEEDS");
  return env && *env ? std::strtoull(env, nullptr, 10) : default_count;
}

// A version that owns what a VersionRef points to.
struct OwnedVersion {
  VersionKind kind = VersionKind::kClock;
  bool tombstone = false;
  std::string value;
  std::vector<std::uint64_t> clock;
  std::string dot_node;
  std::uint64_t dot_counter = 0;
  std::vector<std::pair<std::string, std::uint64_t>> vv;

  static OwnedVersion clocked(std::string value, std::vector<std::uint64_t> clock) {
    OwnedVersion v;
    v.value = std::move(value);
    v.clock = std::move(clock);
    return v;
  }
  static OwnedVersion tomb(std::vector<std::uint64_t> clock) {
    OwnedVersion v;
    v.tombstone = true;
    v.clock = std::move(clock);
    return v;
  }
  static OwnedVersion dotted(std::string value, std::string node, std::uint64_t counter,
                             std::vector<std::pair<std::string, std::uint64_t>> vv) {
    OwnedVersion v;
    v.kind = VersionKind::kDotted;
    v.value = std::move(value);
    v.dot_node = std::move(node);
    v.dot_counter = counter;
    v.vv = std::move(vv);
    return v;
  }
  static OwnedVersion from(const VersionRef& r) {
    OwnedVersion v;
    v.kind = r.kind;
    v.tombstone = r.tombstone;
    v.value = std::string(r.value);
    v.clock = r.clock.to_vector();
    v.dot_node = std::string(r.dot.node);
    v.dot_counter = r.dot.counter;
    for (std::size_t i = 0; i < r.version_vector_size; ++i) {
      v.vv.emplace_back(std::string(r.version_vector[i].node), r.version_vector[i].counter);
    }
    return v;
  }
};

// VersionRefs over a list of OwnedVersions (which must outlive it).
class Refs {
 public:
  explicit Refs(const std::vector<OwnedVersion>& versions) {
    entries_.resize(versions.size());
    for (std::size_t i = 0; i < versions.size(); ++i) {
      const OwnedVersion& o = versions[i];
      for (const auto& [node, counter] : o.vv) entries_[i].push_back(CounterRef{node, counter});
      if (o.kind == VersionKind::kDotted) {
        refs_.push_back(VersionRef::dotted(o.value, CounterRef{o.dot_node, o.dot_counter},
                                           entries_[i].data(), entries_[i].size(), o.tombstone));
      } else {
        refs_.push_back(o.tombstone ? VersionRef::tombstone_with_clock(o.clock)
                                    : VersionRef::with_clock(o.value, o.clock));
      }
    }
  }
  const std::vector<VersionRef>& get() const { return refs_; }

 private:
  std::vector<std::vector<CounterRef>> entries_;
  std::vector<VersionRef> refs_;
};

inline std::string describe(const std::vector<OwnedVersion>& versions) {
  Refs refs(versions);
  std::string s;
  for (const VersionRef& r : refs.get()) {
    if (!s.empty()) s += ' ';
    s += describe_version(r);
  }
  return s;
}

// The three maps, as a recovered state or as the model of one.
struct State : RecoveryVisitor {
  std::map<std::string, std::string> keys;
  std::map<std::pair<std::string, std::string>, std::string> hints;
  std::map<std::string, std::uint64_t> counters;
  int calls_per_entry_violations = 0;  // an entry handed over twice

  void on_key(std::string_view key, const std::vector<VersionRef>& versions) override {
    std::vector<OwnedVersion> owned;
    for (const VersionRef& r : versions) owned.push_back(OwnedVersion::from(r));
    if (!keys.emplace(std::string(key), describe(owned)).second) ++calls_per_entry_violations;
  }
  void on_hint(std::string_view target, std::string_view key,
               const std::vector<VersionRef>& versions) override {
    std::vector<OwnedVersion> owned;
    for (const VersionRef& r : versions) owned.push_back(OwnedVersion::from(r));
    if (!hints.emplace(std::make_pair(std::string(target), std::string(key)), describe(owned))
             .second) {
      ++calls_per_entry_violations;
    }
  }
  void on_dot_counter(std::string_view key, std::uint64_t counter) override {
    if (!counters.emplace(std::string(key), counter).second) ++calls_per_entry_violations;
  }

  // The keys and hints only: "a=1@[1] b=~@[2] | n2/a=3@[1]".
  std::string render_entries() const {
    std::string s;
    for (const auto& [k, v] : keys) s += (s.empty() ? "" : " ") + k + "=" + v;
    s += " |";
    for (const auto& [tk, v] : hints) s += " " + tk.first + "/" + tk.second + "=" + v;
    return s;
  }
  // "a=1@[1] b=~@[2] | n2/a=3@[1] | a:4"
  std::string render() const {
    std::string s;
    for (const auto& [k, v] : keys) s += (s.empty() ? "" : " ") + k + "=" + v;
    s += " |";
    for (const auto& [tk, v] : hints) s += " " + tk.first + "/" + tk.second + "=" + v;
    s += " |";
    for (const auto& [k, c] : counters) s += " " + k + ":" + std::to_string(c);
    return s;
  }
};

// One change, as the node would record it.
struct Change {
  enum Kind { kKey, kKeyRemoved, kHint, kHintRemoved, kCounter } kind;
  std::string key;
  std::string target;
  std::vector<OwnedVersion> versions;
  std::uint64_t counter = 0;

  void record(DurableStore& store) const {
    Refs refs(versions);
    switch (kind) {
      case kKey: store.record_key(key, refs.get()); break;
      case kKeyRemoved: store.record_key_removed(key); break;
      case kHint: store.record_hint(target, key, refs.get()); break;
      case kHintRemoved: store.record_hint_removed(target, key); break;
      case kCounter: store.record_dot_counter(key, counter); break;
    }
  }
  void apply(State& state) const {
    switch (kind) {
      case kKey: state.keys[key] = describe(versions); break;
      case kKeyRemoved: state.keys.erase(key); break;
      case kHint: state.hints[{target, key}] = describe(versions); break;
      case kHintRemoved: state.hints.erase({target, key}); break;
      case kCounter: state.counters[key] = counter; break;
    }
  }
};

// Whether recovered is base changed by recorded[0, p) for some p in [durable, attempted]: the
// last durable commit plus a prefix of the commit a crash interrupted. Dot counters may be
// larger than that prefix says (recovery keeps counters found after damage, and damage in a
// torn write can hide records before them), but never larger than any counter recorded.
inline std::string check_recovered(const State& base, const std::vector<Change>& recorded,
                                   std::size_t durable, std::size_t attempted,
                                   const State& recovered) {
  std::map<std::string, std::uint64_t> largest = base.counters;
  for (std::size_t i = 0; i < attempted; ++i) {
    if (recorded[i].kind == Change::kCounter) {
      largest[recorded[i].key] = std::max(largest[recorded[i].key], recorded[i].counter);
    }
  }
  State expected = base;
  for (std::size_t i = 0; i < durable; ++i) recorded[i].apply(expected);
  for (std::size_t p = durable;; ++p) {
    if (expected.render_entries() == recovered.render_entries()) {
      bool counters_ok = true;
      for (const auto& [key, n] : expected.counters) {
        auto it = recovered.counters.find(key);
        counters_ok &= it != recovered.counters.end() && it->second >= n;
      }
      for (const auto& [key, n] : recovered.counters) counters_ok &= n <= largest[key];
      if (counters_ok) return {};
    }
    if (p >= attempted) break;
    recorded[p].apply(expected);
  }
  State last_durable = base;
  for (std::size_t i = 0; i < durable; ++i) recorded[i].apply(last_durable);
  return "recovered " + recovered.render() + "\nlast durable commit " + last_durable.render() +
         "\ncommitted " + std::to_string(durable) + ", attempted " + std::to_string(attempted) +
         " of " + std::to_string(recorded.size());
}

}  // namespace vckv::storage_test
