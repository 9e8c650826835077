#include "vckv/node/messages.hpp"

#include "vckv/inlining.hpp"
#include "vckv/node/node.hpp"

namespace vckv {

VCKV_HOT
const MessageTable& message_table() {
  // clang-format off
  static const MessageType kRows[] = {
    // type          reply            senders       clocks           before init  one-pass body
    {"kv_put",     "kv_put_ok",     kFromAnyone,  ClockSide::kClient, false, FastShape::kKeyValueClock, decode_write, &Node::handle_put},
    {"kv_get",     "kv_get_ok",     kFromAnyone,  ClockSide::kClient, false, FastShape::kKey,           decode_get,   &Node::handle_get},
    {"kv_resolve", "kv_resolve_ok", kFromAnyone,  ClockSide::kClient, false, FastShape::kKeyValueClock, decode_write, &Node::handle_resolve},
    // §16: a tombstone, by the kv_put rules.
    {"kv_delete",  "kv_delete_ok",  kFromAnyone,  ClockSide::kClient, false, FastShape::kNone,          decode_delete, &Node::handle_delete},
    // §17: server clocks.
    {"dvv_update", "dvv_update_ok", kFromAnyone,  ClockSide::kServer, false, FastShape::kNone,          decode_dvv_update, &Node::handle_dvv_update},
    {"dvv_get",    "dvv_get_ok",    kFromAnyone,  ClockSide::kServer, false, FastShape::kKey,           decode_get,   &Node::handle_dvv_get},
    {"dvv_delete", "dvv_delete_ok", kFromAnyone,  ClockSide::kServer, false, FastShape::kNone,          decode_dvv_delete, &Node::handle_dvv_delete},
    {"init",       "init_ok",       kFromAnyone,  ClockSide::kEither, true,  FastShape::kNone,          decode_init,  &Node::handle_init},
    {kSyncType,    kSyncOkType,     kFromPeers,   ClockSide::kEither, false, FastShape::kVersions,      decode_sync,  &Node::handle_sync},
    {kFetchType,   kFetchOkType,    kFromPeers,   ClockSide::kEither, false, FastShape::kNone,          decode_fetch, &Node::handle_fetch},
    // One-way: answered by the next step of the exchange, not by a reply.
    {kTreeType,    "",              kFromPeers,   ClockSide::kEither, false, FastShape::kNone,          decode_tree,  &Node::handle_tree},
    {kTreeKeysType, "",             kFromPeers,   ClockSide::kEither, false, FastShape::kNone,          decode_tree_keys, &Node::handle_tree_keys},
    // §14: what this node holds itself (inspection; never forwarded), and hints for a replica.
    {kLocalGetType, "local_get_ok", kFromAnyone,  ClockSide::kEither, false, FastShape::kKey,           decode_get,   &Node::handle_local_get},
    // §12: the roots of the trees anti-entropy compares (inspection; a cheap convergence test).
    {kTreeRootsType, "tree_roots_ok", kFromAnyone, ClockSide::kEither, false, FastShape::kNone,       decode_nothing, &Node::handle_tree_roots},
    {kHintType,    kHintOkType,     kFromPeers,   ClockSide::kEither, false, FastShape::kNone,          decode_hint,  &Node::handle_hint},
    // §16: reaping a key that holds only tombstones (reap is one-way).
    {kReapCheckType, kReapCheckOkType, kFromPeers, ClockSide::kEither, false, FastShape::kNone,         decode_reap,  &Node::handle_reap_check},
    {kReapType,    "",              kFromPeers,   ClockSide::kEither, false, FastShape::kNone,          decode_reap,  &Node::handle_reap},
  };
  // clang-format on
  static const MessageTable kTable{kRows, sizeof kRows / sizeof kRows[0]};
  return kTable;
}

namespace {

VCKV_HOT
int find_type(std::string_view type) {
  const MessageTable& table = message_table();
  for (std::size_t i = 0; i < table.size; ++i) {
    if (table.rows[i].type == type) return static_cast<int>(i);
  }
  return -1;
}

VCKV_HOT
FastShape fast_shape_of(int kind) { return message_table().rows[kind].fast_shape; }

BodyDecoder decoder_of(int kind) { return message_table().rows[kind].decode; }

}  // namespace

const MessageCatalog& message_catalog() {
  static const MessageCatalog kCatalog{find_type, fast_shape_of, decoder_of};
  return kCatalog;
}

const std::string& client_message_types(bool server_clocks) {
  auto list = [](ClockSide mode) {
    std::string types;
    for (const MessageType& row : message_table()) {
      // (local_get and tree_roots are for inspection, not a client's requests: not named to one. Nor is
      // kv_delete, §16: the course protocol's error texts, sections 1-10, stay as they are.)
      if (!(row.senders & kFromClients) || row.type == kLocalGetType || row.type == kTreeRootsType ||
          row.type == "kv_delete" ||
          (row.clocks != ClockSide::kEither && row.clocks != mode)) {
        continue;
      }
      if (!types.empty()) types += ", ";
      types += row.type;
    }
    return types;
  };
  static const std::string kClient = list(ClockSide::kClient);
  static const std::string kServer = list(ClockSide::kServer);
  return server_clocks ? kServer : kClient;
}

std::string wrong_clocks_text(const MessageType& type) {
  if (type.clocks == ClockSide::kServer) {
    return std::string(type.type) +
           ": needs --clocks server; this node takes client clocks: use kv_put, kv_get, "
           "kv_resolve, kv_delete";
  }
  return std::string(type.type) +
         ": needs --clocks client; this node assigns clocks itself (--clocks server): use "
         "dvv_update, dvv_get, dvv_delete";
}

}  // namespace vckv
