#include "vckv/ring/ring.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

namespace vckv {

namespace {

constexpr std::uint64_t kMaxPoints = std::numeric_limits<std::uint32_t>::max();

void check_nodes(const std::vector<std::string>& node_ids) {
  if (node_ids.empty()) throw std::invalid_argument("ring: node_ids is empty");
  std::vector<std::string_view> sorted(node_ids.begin(), node_ids.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw std::invalid_argument("ring: node_ids are not distinct");
  }
}

std::vector<Ring::Point> vnode_points(const std::vector<std::string>& node_ids,
                                      std::size_t vnodes) {
  if (vnodes < 1) throw std::invalid_argument("ring: vnodes must be at least 1");
  if (vnodes > kMaxPoints / node_ids.size()) {
    throw std::invalid_argument("ring: node_ids times vnodes must be below 2^32");
  }
  std::vector<Ring::Point> points;
  points.reserve(node_ids.size() * vnodes);
  std::string text;
  for (std::size_t node = 0; node < node_ids.size(); ++node) {
    for (std::size_t i = 0; i < vnodes; ++i) {
      text = node_ids[node];
      text += '#';
      text += std::to_string(i);
      points.push_back({ring_hash(text), static_cast<Ring::NodeIndex>(node)});
    }
  }
  return points;
}

}  // namespace

Ring::Ring(std::vector<std::string> node_ids, std::size_t replicas, std::size_t vnodes)
    : node_ids_(std::move(node_ids)) {
  check_nodes(node_ids_);
  replicas_ = replicas == kEveryNode ? node_ids_.size() : std::min(replicas, node_ids_.size());
  build(vnode_points(node_ids_, vnodes));
}

Ring::Ring(std::vector<std::string> node_ids, std::size_t replicas, std::vector<Point> points)
    : node_ids_(std::move(node_ids)) {
  check_nodes(node_ids_);
  replicas_ = replicas == kEveryNode ? node_ids_.size() : std::min(replicas, node_ids_.size());
  if (points.size() > kMaxPoints) throw std::invalid_argument("ring: 2^32 points or more");
  std::vector<bool> has_point(node_ids_.size());
  for (const Point& p : points) {
    if (p.node >= node_ids_.size()) throw std::invalid_argument("ring: a point's node is unknown");
    has_point[p.node] = true;
  }
  if (std::find(has_point.begin(), has_point.end(), false) != has_point.end()) {
    throw std::invalid_argument("ring: a node has no point");
  }
  build(std::move(points));
}

void Ring::build(std::vector<Point> points) {
  const std::size_t n = node_ids_.size();
  // Ties in hash go by node id, whatever order node_ids came in; a node's own tied points keep
  // their vnode order (stable sort).
  std::vector<NodeIndex> by_name(n);
  for (std::size_t i = 0; i < n; ++i) by_name[i] = static_cast<NodeIndex>(i);
  std::sort(by_name.begin(), by_name.end(),
            [&](NodeIndex a, NodeIndex b) { return node_ids_[a] < node_ids_[b]; });
  std::vector<NodeIndex> name_rank(n);
  for (std::size_t r = 0; r < n; ++r) name_rank[by_name[r]] = static_cast<NodeIndex>(r);
  std::stable_sort(points.begin(), points.end(), [&](const Point& a, const Point& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    return name_rank[a.node] < name_rank[b.node];
  });
  points_ = std::move(points);
  const std::size_t count = points_.size();
  hashes_.resize(count);
  for (std::size_t j = 0; j < count; ++j) hashes_[j] = points_[j].hash;

  // gap_[j]: how far back (cyclically) the previous point of j's node is.
  std::vector<std::size_t> last(n);
  for (std::size_t j = 0; j < count; ++j) last[points_[j].node] = j;
  gap_.resize(count);
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t back = (j + count - last[points_[j].node]) % count;
    gap_[j] = static_cast<std::uint32_t>(back == 0 ? count : back);
    last[points_[j].node] = j;
  }

  depth_ = count * n <= kStoredWalkEntries ? n
                                           : std::max<std::size_t>(1, kStoredWalkEntries / count);
  walks_.resize(count * depth_);
  stored_end_.resize(count);
  for (std::size_t arc = 0; arc < count; ++arc) {
    NodeIndex* walk = &walks_[arc * depth_];
    std::size_t met = 0;
    for (std::size_t distance = 0; met < depth_; ++distance) {
      std::size_t j = arc + distance;
      if (j >= count) j -= count;
      if (distance < gap_[j]) {
        walk[met++] = points_[j].node;
        stored_end_[arc] = static_cast<std::uint32_t>(distance);
      }
    }
  }
}

std::uint32_t Ring::next_new(ArcId arc, std::uint32_t distance) const {
  const std::size_t count = points_.size();
  for (std::size_t d = std::size_t{distance} + 1;; ++d) {  // callers know a new node is ahead
    std::size_t j = arc + d;
    if (j >= count) j -= count;
    if (d < gap_[j]) return static_cast<std::uint32_t>(d);
  }
}

void Ring::Nodes::iterator::start() {
  if (rank_ > ring_->depth_) {  // past the stored walk: catch up from its end
    distance_ = ring_->stored_end_[arc_];
    for (std::size_t r = ring_->depth_; r < rank_; ++r) {
      distance_ = ring_->next_new(arc_, distance_);
    }
  }
  load();
}

void Ring::Nodes::iterator::load_past_stored() {
  if (rank_ == ring_->depth_) distance_ = ring_->stored_end_[arc_];
  distance_ = ring_->next_new(arc_, distance_);
  std::size_t j = std::size_t{arc_} + distance_;
  if (j >= ring_->points_.size()) j -= ring_->points_.size();
  node_ = ring_->points_[j].node;
}

bool Ring::Nodes::contains(NodeIndex node) const {
  for (const NodeIndex n : *this) {
    if (n == node) return true;
  }
  return false;
}

Ring::NodeIndex Ring::find_node(std::string_view id) const {
  for (std::size_t i = 0; i < node_ids_.size(); ++i) {
    if (node_ids_[i] == id) return static_cast<NodeIndex>(i);
  }
  return static_cast<NodeIndex>(node_ids_.size());
}

Ring::ArcId Ring::arc_of_point(std::uint64_t point) const {
  const auto it = std::lower_bound(hashes_.begin(), hashes_.end(), point);
  return it == hashes_.end() ? 0 : static_cast<ArcId>(it - hashes_.begin());
}

bool Ring::is_replica(NodeIndex node, ArcId arc) const {
  if (node >= node_ids_.size()) return false;
  if (every_node()) return true;
  if (replicas_ <= depth_) {  // the usual case: a scan of N stored entries
    const NodeIndex* walk = &walks_[std::size_t{arc} * depth_];
    return std::find(walk, walk + replicas_, node) != walk + replicas_;
  }
  return preference_list(arc).contains(node);
}

std::vector<Ring::ArcId> Ring::arcs_of(NodeIndex node) const {
  std::vector<ArcId> arcs;
  for (std::size_t arc = 0; arc < arc_count(); ++arc) {
    if (is_replica(node, static_cast<ArcId>(arc))) arcs.push_back(static_cast<ArcId>(arc));
  }
  return arcs;
}

std::vector<Ring::ArcId> Ring::shared_arcs(NodeIndex a, NodeIndex b) const {
  std::vector<ArcId> arcs;
  for (std::size_t arc = 0; arc < arc_count(); ++arc) {
    if (both_replicate(a, b, static_cast<ArcId>(arc))) arcs.push_back(static_cast<ArcId>(arc));
  }
  return arcs;
}

double Ring::arc_share(ArcId arc) const {
  constexpr double kSpace = 18446744073709551616.0;  // 2^64
  if (arc > 0) return static_cast<double>(hashes_[arc] - hashes_[arc - 1]) / kSpace;
  // Arc 0 wraps: everything but the span from the first point to the last.
  return (kSpace - static_cast<double>(hashes_.back() - hashes_.front())) / kSpace;
}

std::vector<double> Ring::node_shares() const {
  std::vector<double> shares(node_ids_.size(), 0.0);
  for (std::size_t arc = 0; arc < arc_count(); ++arc) {
    const double share = arc_share(static_cast<ArcId>(arc));
    for (const NodeIndex node : preference_list(static_cast<ArcId>(arc))) shares[node] += share;
  }
  return shares;
}

std::vector<std::string> Ring::ids(const Nodes& nodes) const {
  std::vector<std::string> names;
  names.reserve(nodes.size());
  for (const NodeIndex node : nodes) names.push_back(node_ids_[node]);
  return names;
}

}  // namespace vckv
