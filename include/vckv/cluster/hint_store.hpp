// Hints (docs/protocol.md §14): versions a node holds as a stand-in for a replica that did not
// acknowledge a write in time, kept apart from the node's own keys (a read never sees them as
// the node's data) until the replica has acknowledged them. Bounded by bytes: a full store
// refuses new hints and never drops held ones (only a hint its replica acknowledged, or one a
// newer hint for the same replica and key dominates, leaves). Pure logic, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/store/version.hpp"

namespace vckv {

class HintStore {
 public:
  explicit HintStore(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // What a hint costs against the bound: its key, value and clock (8 bytes a slot), and 64.
  static std::size_t cost(std::string_view key, VersionView v);

  // Holds versions of key for replica, all or none: false (nothing held) when the new ones
  // would take the store past its bound. A version equal to or dominated by one held for the
  // same replica and key is not held twice; held ones a new version dominates leave.
  bool add(const std::string& replica, const std::string& key,
           const std::vector<VersionView>& versions);
  // The replica acknowledged this version of key: it leaves (if still held).
  void remove(const std::string& replica, const std::string& key, VersionView version);

  struct Held {
    std::string key;
    Version version;
  };
  // The hints held for replica, key by key (ascending), each key's oldest first.
  std::vector<Held> for_replica(const std::string& replica) const;
  // The versions held for replica under key, oldest first (empty: none); valid until the next
  // change of the store.
  std::vector<VersionView> held(std::string_view replica, std::string_view key) const;
  // The replicas hints are held for, ascending.
  std::vector<std::string> replicas() const;
  // fn(replica, version) for each hint of key: by replica id, then oldest first.
  void for_key(std::string_view key,
               const std::function<void(const std::string& replica, VersionView v)>& fn) const;

  bool empty() const { return count_ == 0; }
  std::size_t count() const { return count_; }
  std::size_t bytes() const { return bytes_; }
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  using Key = std::map<std::string, std::vector<Version>, std::less<>>;  // key -> oldest first
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::size_t count_ = 0;
  std::map<std::string, Key, std::less<>> by_replica_;
};

}  // namespace vckv
