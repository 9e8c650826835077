#include "vckv/cluster/replicator.hpp"

#include <algorithm>

namespace vckv {

Replicator::Replicator(ReplicationOptions options, Outbox& outbox, Scheduler& scheduler,
                       const SiblingStore& store, Logger& log)
    : options_(options),
      outbox_(outbox),
      scheduler_(scheduler),
      store_(store),
      log_(log),
      pending_(scheduler) {}

Replicator::~Replicator() {
  if (forward_timer_) scheduler_.cancel_timer(forward_timer_);
}

void Replicator::start(const std::string& self, const std::vector<std::string>& node_ids) {
  if (!options_.enabled) return;
  for (const std::string& id : node_ids) {
    if (id != self) peers_[id].resend_after_ms = options_.sync_interval_ms;
  }
  if (peers_.empty()) return;
  scheduler_.add_before_sleep([this] { flush(); });
  forward_timer_ = scheduler_.add_timer(options_.forward_interval_ms,
                                        [this](std::int64_t now) { return forward_merged(now); });
}

void Replicator::changed_by_client(const std::string& key) {
  for (auto& [id, peer] : peers_) peer.dirty.insert(key);
}

void Replicator::changed_by_merge(const std::string& from, const std::string& key) {
  for (auto& [id, peer] : peers_) {
    if (id != from) peer.forward.insert(key);
  }
}

void Replicator::flush() {
  for (auto& [id, peer] : peers_) {
    if (peer.dirty.empty()) continue;
    std::vector<std::string> keys(peer.dirty.begin(), peer.dirty.end());
    peer.dirty.clear();
    std::sort(keys.begin(), keys.end());  // reproducible whatever the hash order
    const std::size_t batch = std::max<std::size_t>(1, options_.sync_batch_keys);
    for (std::size_t i = 0; i < keys.size(); i += batch) {
      const auto first = keys.begin() + static_cast<std::ptrdiff_t>(i);
      const auto last =
          keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), i + batch));
      send_sync(id, peer, std::vector<std::string>(first, last));
    }
  }
}

void Replicator::send_sync(const std::string& peer_id, Peer& peer,
                           std::vector<std::string> keys) {
  MessageBuilder m = outbox_.message(peer_id, kSyncType);
  m.begin_keyed_versions("versions");
  // The keys' current siblings: the versions that changed, or versions that dominate them.
  for (const std::string& key : keys) m.add_keyed_versions(key, store_.find(key));
  m.end_keyed_versions();
  const std::uint64_t msg_id = outbox_.send(m);
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("sync " + std::to_string(msg_id) + " to " + peer_id + ": " +
               std::to_string(keys.size()) + (keys.size() == 1 ? " key" : " keys"));
  }
  const std::int64_t waited = peer.resend_after_ms;
  pending_.add(msg_id, peer_id, scheduler_.now_ms() + waited,
               [this, peer_id, waited, keys = std::move(keys)](const Incoming* reply) {
                 Peer& p = peers_.at(peer_id);
                 if (reply && reply->type == kSyncOkType) {
                   p.resend_after_ms = options_.sync_interval_ms;
                   return;
                 }
                 // Unacknowledged (or refused): the keys go out again (with their siblings as they are then)
                 // before the loop next waits, and the peer's wait doubles. Syncs that time out
                 // together double it once.
                 for (const std::string& key : keys) p.dirty.insert(key);
                 p.resend_after_ms = std::min(std::max(p.resend_after_ms, 2 * waited),
                                              8 * options_.sync_interval_ms);
               });
}

std::int64_t Replicator::forward_merged(std::int64_t) {
  for (auto& [id, peer] : peers_) {
    peer.dirty.merge(peer.forward);
    peer.forward.clear();
  }
  // flush() runs before the loop waits again.
  return options_.forward_interval_ms;
}

}  // namespace vckv
