// Anti-entropy (docs/protocol.md §12): two replicas compare their hash trees
// (store/hash_tree.hpp) and each sends the other the keys it holds differently, whatever
// replication did or did not deliver. Every step is one message that answers the last one, so
// an exchange needs no state here and a lost message just ends it (the next round starts anew):
//
//   tree      "my hashes and key counts for these nodes of level L"
//             -> at the root, when the roots agree: an empty tree_keys ("we agree"); else the
//                differing nodes' children one level down, or, when listing keys is cheaper
//                (few keys below, or the leaves), tree_keys
//   tree_keys "my keys below these nodes, with their hashes" (answer: true asks for the
//             receiver's own list back) -> the receiver pushes each key the sender lacks or
//             holds differently, and answers with its own list if asked
//
// In agreement an exchange is two small messages. Its cost grows with the difference: the
// levels walked, the keys listed below differing nodes, and the versions pushed. The versions
// themselves travel as replication's syncs (acknowledged, resent): this unit only says which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vckv/runtime/log.hpp"
#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/codec.hpp"
#include "vckv/wire/outbox.hpp"

namespace vckv {

inline constexpr std::string_view kTreeType = "tree";
inline constexpr std::string_view kTreeKeysType = "tree_keys";

class AntiEntropy {
 public:
  // What anti-entropy asks of replication.
  struct Links {
    // The peer lacks key, or holds other versions of it: send it the key's versions.
    std::function<void(const std::string& peer, const std::string& key)> push;
    // Whether the key's versions are queued or in flight to the peer already.
    std::function<bool(const std::string& peer, const std::string& key)> on_the_way;
    // With a ring (§14): the tree compared with peer, over only the keys both replicate, and
    // whether both replicate a key. Unset: the store's tree, and every key.
    std::function<const HashTree*(const std::string& peer)> tree;
    std::function<bool(const std::string& peer, std::string_view key)> shared;
  };
  struct Stats {
    std::uint64_t rounds = 0;        // exchanges started here
    std::uint64_t keys_pushed = 0;   // keys found to differ and sent
  };

  // outbox, store and log must outlive this; the store must keep a hash tree.
  AntiEntropy(Outbox& outbox, const SiblingStore& store, Links links,
              std::size_t max_message_bytes, Logger& log)
      : outbox_(outbox), store_(store), links_(std::move(links)),
        max_message_bytes_(max_message_bytes), log_(log) {}

  // Starts an exchange with peer: sends it this replica's root.
  void start(const std::string& peer);
  // Each returns whether the message showed the two replicas in agreement (equal roots).
  bool on_tree(const std::string& from, const TreeRequest& r);
  bool on_tree_keys(const std::string& from, const TreeKeysRequest& r);

  const Stats& stats() const { return stats_; }

 private:
  // Our hashes and counts of these nodes of level, in as many messages as the size allows.
  void send_tree(const std::string& peer, unsigned level, const std::vector<std::uint64_t>& nodes);
  // Queues for the peer every key we hold below these nodes of level (it holds none there).
  void push_all_below(const std::string& peer, unsigned level, std::vector<std::uint64_t> nodes);
  // Our keys below these nodes of level, with their hashes.
  void send_keys(const std::string& peer, unsigned level, const std::vector<std::uint64_t>& nodes,
                 bool answer);
  const HashTree* tree_for(const std::string& peer) const {
    return links_.tree ? links_.tree(peer) : store_.hash_tree();
  }
  bool shared(const std::string& peer, std::string_view key) const {
    return !links_.shared || links_.shared(peer, key);
  }
  bool valid(const std::string& from, std::uint64_t level, const std::vector<std::uint64_t>& nodes);

  Outbox& outbox_;
  const SiblingStore& store_;
  Links links_;
  std::size_t max_message_bytes_;
  Logger& log_;
  Stats stats_;
};

}  // namespace vckv
