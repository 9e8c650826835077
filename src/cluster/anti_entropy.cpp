#include "vckv/cluster/anti_entropy.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "vckv/json/writer.hpp"

namespace vckv {

namespace {

std::string uint_array(const std::vector<std::uint64_t>& xs) {
  std::string out(uint_array_max_size(xs.size()), '\0');
  char* end = write_uint_array(out.data(), xs.size(), [&](std::size_t i) { return xs[i]; });
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

// Bytes one more entry adds to a message: the number or key, its hash, the separators.
constexpr std::size_t kEntryBytes = 48;

}  // namespace

bool AntiEntropy::valid(const std::string& from, std::uint64_t level,
                        const std::vector<std::uint64_t>& nodes) {
  bool ok = level <= HashTree::kLeafLevel;
  for (std::uint64_t n : nodes) ok = ok && n < HashTree::width(static_cast<unsigned>(level));
  if (!ok) log_.warn("anti-entropy from " + from + ": nodes outside the tree; ignored");
  return ok;
}

void AntiEntropy::start(const std::string& peer) {
  ++stats_.rounds;
  send_tree(peer, 0, {0});
}

void AntiEntropy::send_tree(const std::string& peer, unsigned level,
                            const std::vector<std::uint64_t>& nodes) {
  const HashTree* shown = tree_for(peer);
  if (!shown) return;
  const HashTree& tree = *shown;
  const std::size_t per_message = std::max<std::size_t>(1, max_message_bytes_ / kEntryBytes);
  for (std::size_t first = 0; first < nodes.size(); first += per_message) {
    std::vector<std::uint64_t> part(nodes.begin() + static_cast<std::ptrdiff_t>(first),
                                    nodes.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min(nodes.size(), first + per_message)));
    std::vector<std::uint64_t> hashes, counts;
    for (std::uint64_t n : part) {
      hashes.push_back(tree.hash(level, n));
      counts.push_back(tree.count(level, n));
    }
    MessageBuilder m = outbox_.message(peer, kTreeType);
    m.field_uint("level", level)
        .field_json("nodes", uint_array(part))
        .field_json("hashes", uint_array(hashes))
        .field_json("counts", uint_array(counts));
    outbox_.send(m);
  }
}

bool AntiEntropy::on_tree(const std::string& from, const TreeRequest& r) {
  const HashTree* tree = tree_for(from);
  if (!tree || !valid(from, r.level, r.nodes)) return false;
  const auto level = static_cast<unsigned>(r.level);
  std::vector<std::uint64_t> differing;
  std::vector<std::uint64_t> theirs_empty;  // differing nodes below which the peer holds nothing
  std::uint64_t mine = 0;  // keys we hold below the differing nodes
  // A node listed more than once is answered once, by its first entry: the answer is bounded
  // by the distinct nodes asked about, not by how often a message repeats them.
  std::vector<bool> seen(HashTree::width(level), false);
  for (std::size_t i = 0; i < r.nodes.size(); ++i) {
    if (seen[r.nodes[i]]) continue;
    seen[r.nodes[i]] = true;
    if (tree->hash(level, r.nodes[i]) == r.hashes[i]) continue;
    if (r.counts[i] == 0) {
      theirs_empty.push_back(r.nodes[i]);
      continue;
    }
    differing.push_back(r.nodes[i]);
    mine += tree->count(level, r.nodes[i]);
  }
  // Where the peer holds nothing (a restarted, empty node; a part of the key space it never
  // saw) it lacks every key we hold there: they are pushed at once, not listed first.
  if (!theirs_empty.empty()) push_all_below(from, level, theirs_empty);
  if (differing.empty() && theirs_empty.empty()) {
    // At the root: the replicas agree, and the peer is told so (it cannot tell agreement from
    // a lost message otherwise). Lower down: what differed has been repaired meanwhile.
    if (level == 0) send_keys(from, 0, {}, /*answer=*/false);
    return level == 0;
  }
  if (differing.empty()) return false;
  // Descending costs kFanout hashes per differing node; listing costs one entry per key we
  // hold below them. A list that would not fit in a message is not sent while there is a
  // level left to descend to.
  const bool fits = mine * kEntryBytes <= max_message_bytes_;
  if (level == HashTree::kLeafLevel ||
      (fits && mine <= HashTree::kFanout * differing.size())) {
    send_keys(from, level, differing, /*answer=*/true);
    return false;
  }
  std::vector<std::uint64_t> children;
  children.reserve(differing.size() * HashTree::kFanout);
  for (std::uint64_t n : differing) {
    for (unsigned c = 0; c < HashTree::kFanout; ++c) children.push_back(n * HashTree::kFanout + c);
  }
  send_tree(from, level + 1, children);
  return false;
}

void AntiEntropy::push_all_below(const std::string& peer, unsigned level,
                                 std::vector<std::uint64_t> nodes) {
  std::sort(nodes.begin(), nodes.end());
  const unsigned shift = 4 * (HashTree::kLeafLevel - level);
  std::size_t pushed = 0;
  store_.for_each([&](std::string_view key, Siblings) {
    if (!std::binary_search(nodes.begin(), nodes.end(), HashTree::segment_of(key) >> shift)) return;
    if (!shared(peer, key)) return;
    const std::string k(key);
    if (links_.on_the_way(peer, k)) return;
    ++pushed;
    links_.push(peer, k);
  });
  stats_.keys_pushed += pushed;
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("anti-entropy with " + peer + ": it holds nothing below " +
               std::to_string(nodes.size()) + " nodes of level " + std::to_string(level) +
               "; " + std::to_string(pushed) + " keys pushed");
  }
}

void AntiEntropy::send_keys(const std::string& peer, unsigned level,
                            const std::vector<std::uint64_t>& nodes, bool answer) {
  // Our keys below each node (one pass over the store).
  std::map<std::uint64_t, std::vector<std::pair<std::string, std::uint64_t>>> below;
  for (std::uint64_t n : nodes) below[n];
  const unsigned shift = 4 * (HashTree::kLeafLevel - level);
  store_.for_each([&](std::string_view key, Siblings siblings) {
    const auto it = below.find(HashTree::segment_of(key) >> shift);
    if (it != below.end() && shared(peer, key)) it->second.emplace_back(std::string(key), key_hash(key, siblings));
  });
  // A message covers whole nodes where it can, so the receiver can tell which keys we lack
  // below them. A leaf with more keys than a message holds is split: the receiver then takes
  // the keys it holds beyond each part for keys we lack and sends them — more than needed,
  // never less (a merge of versions a replica has changes nothing).
  std::vector<std::uint64_t> part;
  std::string keys = "[", hashes = "[";
  std::size_t bytes = 0;
  auto send = [&] {
    MessageBuilder m = outbox_.message(peer, kTreeKeysType);
    m.field_uint("level", level)
        .field_json("nodes", uint_array(part))
        .field_json("keys", keys + "]")
        .field_json("hashes", hashes + "]")
        .field_json("answer", answer ? "true" : "false");
    outbox_.send(m);
    part.clear();
    keys.assign(1, '[');  // (not = "[": GCC 12 then warns of an overlap that cannot happen)
    hashes.assign(1, '[');
    bytes = 0;
  };
  for (const auto& [node, listed] : below) {
    if (!part.empty() && bytes + listed.size() * kEntryBytes > max_message_bytes_) send();
    part.push_back(node);
    for (const auto& [key, hash] : listed) {
      if (bytes > 0 && bytes + key.size() + kEntryBytes > max_message_bytes_) {
        send();
        part.push_back(node);
      }
      if (keys.size() > 1) {
        keys += kJsonItemSeparator;
        hashes += kJsonItemSeparator;
      }
      keys += key;
      hashes += std::to_string(hash);
      bytes += key.size() + kEntryBytes;
    }
  }
  if (!part.empty() || nodes.empty()) send();  // (no nodes: the agreement message)
}

bool AntiEntropy::on_tree_keys(const std::string& from, const TreeKeysRequest& r) {
  if (!tree_for(from) || !valid(from, r.level, r.nodes)) return false;
  if (r.nodes.empty()) return true;  // "we agree"
  const auto level = static_cast<unsigned>(r.level);
  std::unordered_map<std::string_view, std::uint64_t> theirs;
  for (std::size_t i = 0; i < r.keys.size(); ++i) theirs.emplace(r.keys[i], r.hashes[i]);
  std::vector<std::uint64_t> nodes = r.nodes;
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());  // each answered once
  const unsigned shift = 4 * (HashTree::kLeafLevel - level);
  std::vector<std::string> differ;
  store_.for_each([&](std::string_view key, Siblings siblings) {
    if (!std::binary_search(nodes.begin(), nodes.end(), HashTree::segment_of(key) >> shift)) return;
    if (!shared(from, key)) return;
    const auto it = theirs.find(key);
    if (it != theirs.end() && it->second == key_hash(key, siblings)) return;
    differ.emplace_back(key);
  });
  // Keys already queued for the peer are on their way; the rest are pushed.
  for (const std::string& key : differ) {
    if (links_.on_the_way(from, key)) continue;
    ++stats_.keys_pushed;
    links_.push(from, key);
  }
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("anti-entropy with " + from + ": " + std::to_string(differ.size()) +
               " keys held differently below " + std::to_string(r.nodes.size()) +
               " nodes of level " + std::to_string(level));
  }
  // The answer lists our keys where the peer listed some: below a node where it holds none,
  // it lacks every key we hold, and those were all pushed just now.
  if (r.answer) {
    std::vector<std::uint64_t> held;
    for (std::string_view key : r.keys) held.push_back(HashTree::segment_of(key) >> shift);
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    std::vector<std::uint64_t> answer;
    for (std::uint64_t n : nodes) {
      if (std::binary_search(held.begin(), held.end(), n)) answer.push_back(n);
    }
    if (!answer.empty()) send_keys(from, level, answer, /*answer=*/false);
  }
  return false;
}

}  // namespace vckv
