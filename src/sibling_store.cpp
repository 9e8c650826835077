#include "vckv/sibling_store.hpp"

#include <algorithm>

#include "vckv/json_text.hpp"

namespace vckv {

bool same_version(const Version& a, const Version& b) {
  return a.clock.equals(b.clock) && json_text_equal(a.value, b.value);
}

namespace {

WriteOutcome describe_outcome(std::size_t siblings) {
  return {siblings == 1 ? WriteStatus::kWritten : WriteStatus::kConflict, siblings};
}

void replace_dominated(std::vector<Version>& siblings, Version&& version) {
  std::erase_if(siblings, [&](const Version& s) { return version.clock.dominates(s.clock); });
  siblings.push_back(std::move(version));
}

}  // namespace

WriteOutcome SiblingStore::apply_client_write(const std::string& key, Version write,
                                              std::size_t max_siblings) {
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (max_siblings < 1) return {WriteStatus::kTooManySiblings, 1};
    keys_.emplace(key, std::vector<Version>{std::move(write)});
    return describe_outcome(1);
  }
  std::vector<Version>& siblings = it->second;
  for (const Version& s : siblings) {
    if (same_version(s, write)) return describe_outcome(siblings.size());  // a retry
  }
  std::size_t survivors = 0;
  for (const Version& s : siblings) {
    if (s.clock.descends(write.clock)) return {WriteStatus::kStale, siblings.size()};
    if (!write.clock.dominates(s.clock)) ++survivors;
  }
  if (survivors + 1 > max_siblings) return {WriteStatus::kTooManySiblings, survivors + 1};
  replace_dominated(siblings, std::move(write));
  return describe_outcome(siblings.size());
}

bool SiblingStore::merge_version(const std::string& key, Version version) {
  std::vector<Version>& siblings = keys_[key];
  for (const Version& s : siblings) {
    if (same_version(s, version) || s.clock.dominates(version.clock)) return false;
  }
  replace_dominated(siblings, std::move(version));
  return true;
}

const std::vector<Version>* SiblingStore::find(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

std::string describe(const std::vector<Version>& siblings) {
  std::string out;
  for (const Version& v : siblings) {
    if (!out.empty()) out += ' ';
    out += v.value;
    out += '@';
    out += v.clock.to_json();
  }
  return out;
}

}  // namespace vckv
