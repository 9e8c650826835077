#include "vckv/node/messages.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vckv {
namespace {

// The table is the one list of message types: every row is complete, and the codec's catalog
// finds each row (and nothing else).
TEST(MessageTableTest, EveryRowIsCompleteAndFoundByTheCatalog) {
  const MessageCatalog& catalog = message_catalog();
  std::set<std::string_view> seen;
  int index = 0;
  for (const MessageType& row : message_table()) {
    EXPECT_TRUE(seen.insert(row.type).second) << row.type << " twice";
    // A reply is the type's name and _ok; one-way messages (anti-entropy's steps) have none.
    if (!row.reply_type.empty()) {
      EXPECT_EQ(row.reply_type, std::string(row.type) + "_ok");
    }
    EXPECT_NE(row.decode, nullptr) << row.type;
    EXPECT_NE(row.handle, nullptr) << row.type;
    EXPECT_NE(row.senders, 0u) << row.type;
    EXPECT_EQ(catalog.find(row.type), index);
    EXPECT_EQ(catalog.fast_shape(index), row.fast_shape);
    EXPECT_EQ(catalog.decoder(index), row.decode);
    ++index;
  }
  EXPECT_EQ(catalog.find("kv_put_ok"), -1);
  EXPECT_EQ(catalog.find("read"), -1);
  EXPECT_EQ(catalog.find(""), -1);
}

// Who may send what, and what may come before init: the protocol's rules, as rows.
TEST(MessageTableTest, SendersAndInitAsTheProtocolSays) {
  std::string before_init, peers_only, one_pass;
  for (const MessageType& row : message_table()) {
    if (row.before_init) before_init += std::string(row.type) + " ";
    if (row.senders == kFromPeers) peers_only += std::string(row.type) + " ";
    if (row.fast_shape != FastShape::kNone) one_pass += std::string(row.type) + " ";
  }
  EXPECT_EQ(before_init, "init ");
  EXPECT_EQ(peers_only, "sync fetch tree tree_keys hint reap_check reap ");
  EXPECT_EQ(one_pass, "kv_put kv_get kv_resolve dvv_get sync local_get ");
}

// Error 10's list: the rows a client may send, in table order; node-to-node types are not
// offered to a client.
TEST(MessageTableTest, ClientMessageTypesAreTheRowsAClientMaySend) {
  EXPECT_EQ(client_message_types(), "kv_put, kv_get, kv_resolve, init");
  EXPECT_EQ(client_message_types(/*server_clocks=*/true), "dvv_update, dvv_get, dvv_delete, init");
}

// §17: each clock mode's requests name the other mode's types when sent to the wrong one.
TEST(MessageTableTest, TheOtherClockModesTypesAreNamed) {
  std::string client, server;
  for (const MessageType& row : message_table()) {
    if (row.clocks == ClockSide::kClient) client += std::string(row.type) + " ";
    if (row.clocks == ClockSide::kServer) server += std::string(row.type) + " ";
  }
  EXPECT_EQ(client, "kv_put kv_get kv_resolve kv_delete ");
  EXPECT_EQ(server, "dvv_update dvv_get dvv_delete ");
  EXPECT_EQ(wrong_clocks_text(message_table().rows[0]),
            "kv_put: needs --clocks client; this node assigns clocks itself (--clocks server): "
            "use dvv_update, dvv_get, dvv_delete");
}

}  // namespace
}  // namespace vckv
