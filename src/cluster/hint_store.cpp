#include "vckv/cluster/hint_store.hpp"

#include <algorithm>

namespace vckv {

std::size_t HintStore::cost(std::string_view key, VersionView v) {
  return 64 + key.size() + v.value.size() + 8 * v.slots.size();
}

bool HintStore::add(const std::string& replica, const std::string& key,
                    const std::vector<VersionView>& versions) {
  const auto r = by_replica_.find(replica);
  const std::vector<Version>* held = nullptr;
  if (r != by_replica_.end()) {
    const auto k = r->second.find(key);
    if (k != r->second.end()) held = &k->second;
  }
  // Which versions are new, and what they take.
  std::vector<VersionView> fresh;
  std::size_t needed = 0;
  for (const VersionView v : versions) {
    bool known = false;
    if (held) {
      for (const Version& h : *held) {
        if (supersedes(view_of(h), v) || same_version(view_of(h), v)) known = true;
      }
    }
    for (const VersionView f : fresh) known = known || same_version(f, v);
    if (known) continue;
    fresh.push_back(v);
    needed += cost(key, v);
  }
  if (fresh.empty()) return true;
  if (bytes_ + needed > max_bytes_) return false;
  std::vector<Version>& list = by_replica_[replica][key];
  for (const VersionView v : fresh) {
    // Held versions the new one dominates leave: the replica would drop them anyway.
    const auto gone = std::remove_if(list.begin(), list.end(), [&](const Version& h) {
      if (!supersedes(v, view_of(h))) return false;
      bytes_ -= cost(key, view_of(h));
      --count_;
      return true;
    });
    list.erase(gone, list.end());
    list.push_back(Version{std::string(v.value), v.clock(), v.dot});
    bytes_ += cost(key, v);
    ++count_;
  }
  return true;
}

void HintStore::remove(const std::string& replica, const std::string& key, VersionView version) {
  const auto r = by_replica_.find(replica);
  if (r == by_replica_.end()) return;
  const auto k = r->second.find(key);
  if (k == r->second.end()) return;
  std::vector<Version>& list = k->second;
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (!same_version(view_of(*it), version)) continue;
    bytes_ -= cost(key, version);
    --count_;
    list.erase(it);
    break;
  }
  if (list.empty()) r->second.erase(k);
  if (r->second.empty()) by_replica_.erase(r);
}

std::vector<VersionView> HintStore::held(std::string_view replica, std::string_view key) const {
  std::vector<VersionView> out;
  const auto r = by_replica_.find(replica);
  if (r == by_replica_.end()) return out;
  const auto k = r->second.find(key);
  if (k == r->second.end()) return out;
  for (const Version& v : k->second) out.push_back(view_of(v));
  return out;
}

std::vector<HintStore::Held> HintStore::for_replica(const std::string& replica) const {
  std::vector<Held> out;
  const auto r = by_replica_.find(replica);
  if (r == by_replica_.end()) return out;
  for (const auto& [key, list] : r->second) {
    for (const Version& v : list) out.push_back(Held{key, v});
  }
  return out;
}

std::vector<std::string> HintStore::replicas() const {
  std::vector<std::string> out;
  for (const auto& [replica, keys] : by_replica_) out.push_back(replica);
  return out;
}

void HintStore::for_key(std::string_view key,
                        const std::function<void(const std::string&, VersionView)>& fn) const {
  for (const auto& [replica, keys] : by_replica_) {
    const auto k = keys.find(key);
    if (k == keys.end()) continue;
    for (const Version& v : k->second) fn(replica, view_of(v));
  }
}

}  // namespace vckv
