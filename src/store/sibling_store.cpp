#include "vckv/store/sibling_store.hpp"

#include "key_table.hpp"
#include "vckv/inlining.hpp"

namespace vckv {

SiblingStore::SiblingStore(ConflictRule rule)
    : rule_(rule), keys_(std::make_unique<detail::KeyTable>()) {}
SiblingStore::SiblingStore(const SiblingStore& other)
    : rule_(other.rule_),
      keys_(std::make_unique<detail::KeyTable>(*other.keys_)),
      tree_(other.tree_ ? std::make_unique<HashTree>(*other.tree_) : nullptr) {}
SiblingStore& SiblingStore::operator=(const SiblingStore& other) {
  if (this != &other) {
    rule_ = other.rule_;
    *keys_ = *other.keys_;
    tree_ = other.tree_ ? std::make_unique<HashTree>(*other.tree_) : nullptr;
  }
  return *this;
}
SiblingStore::SiblingStore(SiblingStore&& other) noexcept
    : rule_(other.rule_),
      keys_(std::exchange(other.keys_, std::make_unique<detail::KeyTable>())),
      tree_(std::move(other.tree_)) {}
SiblingStore& SiblingStore::operator=(SiblingStore&& other) noexcept {
  std::swap(rule_, other.rule_);
  std::swap(keys_, other.keys_);
  std::swap(tree_, other.tree_);
  return *this;
}
SiblingStore::~SiblingStore() = default;

namespace {

// Carries out Ruling::kStore: the versions the new one supersedes go (all of them with
// replace_all), and it is appended.
void store_version(detail::SiblingSet& siblings, VersionView version, bool replace_all) {
  if (siblings.size() == 1 && (replace_all || supersedes(version, siblings[0]))) {
    siblings.replace_single(version.value, version.slots, version.dot);  // in place
    return;
  }
  siblings.erase_if([&](VersionView s) { return replace_all || supersedes(version, s); });
  siblings.append(version.value, version.slots, version.dot);
}

}  // namespace

VCKV_HOT
ApplyResult SiblingStore::apply(std::string_view key, VersionView version, Origin origin,
                                std::size_t max_siblings) {
  static const detail::SiblingSet kNone;
  detail::SiblingSet* siblings = keys_->find_mutable(key);
  const Decision d = decide(rule_, siblings ? *siblings : kNone, version, origin, max_siblings);
  if (d.ruling == Ruling::kStore) {
    if (!siblings) siblings = keys_->try_emplace(key).first;  // a new key enters only now
    // (The tree costs two key hashes per change, in a cluster only.)
    const std::uint64_t old_hash = tree_ ? key_hash(key, Siblings(siblings)) : 0;
    store_version(*siblings, version, d.replace_all);
    if (tree_) {
      const std::uint64_t new_hash = key_hash(key, Siblings(siblings));
      tree_->update(key, old_hash, new_hash);
      if (observer_) observer_(key, old_hash, new_hash);
    }
  }
  return {d.ruling, d.siblings};
}

std::vector<std::size_t> SiblingStore::merge_versions(std::string_view key,
                                                       const std::vector<VersionView>& versions) {
  std::vector<std::size_t> added;
  detail::SiblingSet* siblings = keys_->find_mutable(key);
  // One version, and the broken rules (testing only), go through apply one at a time (lww
  // keeps one version per key: more means the store was filled in siblings mode).
  if (versions.size() <= 1 || rule_.debug_drop_concurrent_on_merge ||
      rule_.mode == ConflictMode::kDotted ||
      (rule_.mode == ConflictMode::kLww && siblings && siblings->size() > 1)) {
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (apply(key, versions[i], Origin::kPeer, 0).changed()) added.push_back(i);
    }
    return added;
  }
  std::vector<VersionView> stored;
  if (siblings) {
    stored.reserve(siblings->size());
    for (VersionView v : *siblings) stored.push_back(v);
  }
  const std::size_t count = stored.size() + versions.size();
  CanonicalTexts canonical(count, /*numbers_by_value=*/true);
  CanonicalTexts lww_order(count, /*numbers_by_value=*/false);
  const MergePlan plan = plan_merge(rule_, stored, versions, canonical, lww_order);
  if (!plan.changed()) return added;
  // The hash tree moves by the versions that go and come (hashed from the canonical texts the
  // plan computed, before the stored ones change).
  std::uint64_t old_sum = 0, new_sum = 0;
  std::size_t remaining = 0;
  for (std::size_t c = 0; c < stored.size(); ++c) {
    const std::uint64_t h =
        tree_ ? version_hash(stored[c].slots, canonical.get(c, stored[c].value)) : 0;
    old_sum += h;
    if (plan.keep[c]) {
      new_sum += h;
      ++remaining;
    }
  }
  if (tree_) {
    for (std::size_t i : plan.added) {
      new_sum += version_hash(versions[i].slots,
                              canonical.get(stored.size() + i, versions[i].value));
    }
  }
  const std::uint64_t old_hash = key_hash(key, stored.size(), old_sum);
  if (!siblings) siblings = keys_->try_emplace(key).first;
  std::size_t c = 0;
  siblings->erase_if([&](VersionView) { return !plan.keep[c++]; });  // (in order, once each)
  for (std::size_t i : plan.added) siblings->append(versions[i].value, versions[i].slots);
  if (tree_) {
    const std::uint64_t new_hash = key_hash(key, remaining + plan.added.size(), new_sum);
    tree_->update(key, old_hash, new_hash);
    if (observer_) observer_(key, old_hash, new_hash);
  }
  return plan.added;
}

bool all_tombstones(Siblings siblings) {
  if (siblings.empty()) return false;
  for (VersionView v : siblings) {
    if (!v.tombstone()) return false;
  }
  return true;
}

bool buried_by(VersionView v, const std::vector<VersionView>& reaped) {
  for (const VersionView& r : reaped) {
    if (supersedes(r, v)) return true;
    // The tombstone itself: the same clock, or (server clocks) the same dot.
    if (v.tombstone() && (v.dot.empty() ? slots_equal(r.slots, v.slots) : r.dot == v.dot)) {
      return true;
    }
  }
  return false;
}

bool SiblingStore::erase(std::string_view key) {
  const detail::SiblingSet* siblings = keys_->find(key);
  if (!siblings) return false;
  const std::uint64_t old_hash = tree_ ? key_hash(key, Siblings(siblings)) : 0;
  keys_->erase(key);
  if (tree_ && old_hash != 0) {
    tree_->update(key, old_hash, 0);
    if (observer_) observer_(key, old_hash, 0);
  }
  return true;
}

VCKV_HOT
Siblings SiblingStore::find(std::string_view key) const { return Siblings(keys_->find(key)); }

VCKV_HOT
void SiblingStore::prefetch(std::string_view key) const { keys_->prefetch(key); }

std::size_t SiblingStore::key_count() const { return keys_->size(); }

void SiblingStore::enable_hash_tree() {
  if (tree_) return;
  tree_ = std::make_unique<HashTree>();
  for (const auto& [key, siblings] : *keys_) tree_->update(key, 0, key_hash(key, Siblings(&siblings)));
}

void SiblingStore::set_change_observer(ChangeObserver observer) {
  observer_ = std::move(observer);
}

void SiblingStore::for_each(
    const std::function<void(std::string_view key, Siblings siblings)>& fn) const {
  for (const auto& [key, siblings] : *keys_) fn(key, Siblings(&siblings));
}

}  // namespace vckv
