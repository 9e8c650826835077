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

// Carries out Ruling::kStore: the versions the new one dominates go (all of them with
// replace_all), and it is appended.
void store_version(detail::SiblingSet& siblings, VersionView version, bool replace_all) {
  if (siblings.size() == 1 && (replace_all || slots_dominate(version.slots, siblings[0].slots))) {
    siblings.replace_single(version.value, version.slots);  // the common case, in place
    return;
  }
  siblings.erase_if(
      [&](VersionView s) { return replace_all || slots_dominate(version.slots, s.slots); });
  siblings.append(version.value, version.slots);
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
    if (tree_) tree_->update(key, old_hash, key_hash(key, Siblings(siblings)));
  }
  return {d.ruling, d.siblings};
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

void SiblingStore::for_each(
    const std::function<void(std::string_view key, Siblings siblings)>& fn) const {
  for (const auto& [key, siblings] : *keys_) fn(key, Siblings(&siblings));
}

}  // namespace vckv
