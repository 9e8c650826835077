// The store: keys (JSON texts: "\"x\"" and "1" are different keys) to their siblings. Every
// change goes through the one conflict rule (store/conflict_rules.hpp). Pure logic, no I/O.
// How keys and versions are laid out in memory is private to src/store/.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "vckv/store/conflict_rules.hpp"
#include "vckv/store/hash_tree.hpp"
#include "vckv/store/version.hpp"

namespace vckv {

namespace detail {
class KeyTable;
}

// What applying a version did.
struct ApplyResult {
  Ruling ruling;
  std::size_t siblings;  // the key's siblings now (or what a refused write would have left)
  bool changed() const { return ruling == Ruling::kStore; }
};

// §16: whether every version of a key is a tombstone (false for a key with no versions).
bool all_tombstones(Siblings siblings);
// §16: whether reaped tombstones bury v: v is one of them (a tombstone with the same clock, or
// with server clocks the same dot) or one of them supersedes it (its clock dominates v's, or its
// version vector covers v's dot). A version they do not bury is never dropped for them (a value
// with a clock equal to a reaped tombstone's is a sibling of it, not buried).
bool buried_by(VersionView v, const std::vector<VersionView>& reaped);

class SiblingStore {
 public:
  explicit SiblingStore(ConflictRule rule = {});
  SiblingStore(const SiblingStore& other);
  SiblingStore& operator=(const SiblingStore& other);
  SiblingStore(SiblingStore&& other) noexcept;
  SiblingStore& operator=(SiblingStore&& other) noexcept;
  ~SiblingStore();

  const ConflictRule& rule() const { return rule_; }

  // Applies version to key as the conflict rule decides for its origin; a ruling other than
  // kStore changes nothing. max_siblings bounds client writes only.
  ApplyResult apply(std::string_view key, VersionView version, Origin origin,
                    std::size_t max_siblings);
  // A client's write (docs/protocol.md §7).
  ApplyResult apply_client_write(std::string_view key, const Version& write,
                                 std::size_t max_siblings) {
    return apply(key, view_of(write), Origin::kClient, max_siblings);
  }
  // A version from a peer (§11); returns whether the key's siblings changed.
  bool merge_version(std::string_view key, const Version& version) {
    return apply(key, view_of(version), Origin::kPeer, 0).changed();
  }

  // Versions from a peer, several of one key at once (a sync or a fetch answer carrying a
  // key's siblings): the same result as merge_version on each in turn, in time that grows with
  // their number as a sort does (conflict_rules.hpp, plan_merge). Returns the indexes of the
  // versions that were added.
  std::vector<std::size_t> merge_versions(std::string_view key,
                                          const std::vector<VersionView>& versions);

  // Removes the key and everything it holds (a reaped key, §16), freeing its memory; the hash
  // tree and the change observer see it go. False when the key was not stored.
  bool erase(std::string_view key);

  // The key's siblings, oldest first; empty for a key never written.
  Siblings find(std::string_view key) const;
  // A lookup of key is coming: start loading its table slot (a hint; changes nothing).
  void prefetch(std::string_view key) const;

  std::size_t key_count() const;
  // Calls fn(key, siblings) for every key, in no particular order.
  void for_each(const std::function<void(std::string_view key, Siblings siblings)>& fn) const;

  // From now on, keep a hash tree of the keys (for anti-entropy between replicas); it starts
  // from the keys stored so far. Every change after that updates it.
  void enable_hash_tree();
  // The tree, or nullptr when not enabled.
  const HashTree* hash_tree() const { return tree_.get(); }
  // With the hash tree kept: after every change, observer(key, old key hash, new key hash)
  // (what the tree was updated by; a key hash is 0 for no versions). For trees of a part of
  // the keys (anti-entropy with one peer over the keys both replicate, §14). Not copied with
  // the store.
  using ChangeObserver =
      std::function<void(std::string_view key, std::uint64_t old_hash, std::uint64_t new_hash)>;
  void set_change_observer(ChangeObserver observer);

 private:
  ConflictRule rule_;
  std::unique_ptr<detail::KeyTable> keys_;
  std::unique_ptr<HashTree> tree_;
  ChangeObserver observer_;
};

}  // namespace vckv
