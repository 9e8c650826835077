// Writes one outgoing message in the exact docs/protocol.md §2 byte format:
// {"src": S, "dest": D, "body": {"type": T[, "in_reply_to": R], FIELDS..., "msg_id": N}}\n
// Fields appear in the order they are added; msg_id is always last. Every JSON piece is the
// writer's (json/writer.hpp); this class only lays out the envelope. The bytes go straight
// into room made in the output string ahead of them (one size check per piece); a builder
// destroyed before finish takes its unfinished message out of the output again (so one builder
// at a time writes to an output string: finish one before starting the next). Messages get
// their msg_id from the Outbox (wire/outbox.hpp), not from whoever builds them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/store/version.hpp"

namespace vckv {

class MessageBuilder {
 public:
  MessageBuilder(std::string& out, std::string_view src, std::string_view dest,
                 std::string_view type, const std::optional<std::string>& in_reply_to);
  MessageBuilder(const MessageBuilder&) = delete;
  MessageBuilder& operator=(const MessageBuilder&) = delete;
  ~MessageBuilder();

  MessageBuilder& field_json(std::string_view name, std::string_view json_text);
  MessageBuilder& field_string(std::string_view name, std::string_view text);
  MessageBuilder& field_uint(std::string_view name, std::uint64_t n);
  // name: [{"value": V, "clock": C}, ...]; a tombstone (§16) is {"clock": C, "deleted": true}
  // (node-to-node messages carry tombstones this way).
  MessageBuilder& field_versions(std::string_view name, Siblings versions);
  // As a client reads them (kv_get_ok, §8 and §16): name: the live versions, oldest first, then,
  // only when there are tombstones, "deleted": [C, ...], their clocks, oldest first.
  MessageBuilder& field_client_versions(std::string_view name, Siblings versions);
  MessageBuilder& field_versions(std::string_view name, const std::vector<VersionView>& versions);
  // name: [[K,V,[1,0]],...], a plain version as a tuple without spaces (the bulk of
  // node-to-node bytes); a tombstone or a dotted version (§16, §17) as an object,
  // {"key": K, "clock": C, "deleted": true} or {"key": K, "value": V, "clock": C, "dot": D};
  // filled between begin and end with the versions of one key after another (rendered
  // straight from the store).
  MessageBuilder& begin_keyed_versions(std::string_view name);
  MessageBuilder& add_keyed_versions(std::string_view key_json, Siblings versions);
  MessageBuilder& add_keyed_version(std::string_view key_json, VersionView version);
  MessageBuilder& end_keyed_versions();
  // Bytes of this message so far.
  std::size_t size() const { return used_ - begin_; }

  // Ends the message with its msg_id (the Outbox's to give).
  void finish(std::uint64_t msg_id);

 private:
  // Makes room for n more bytes; returns where they go. Writers then call wrote(end).
  char* room(std::size_t n) {
    if (out_.size() - used_ < n) grow(n);
    return out_.data() + used_;
  }
  void grow(std::size_t n);
  void wrote(const char* end) { used_ = static_cast<std::size_t>(end - out_.data()); }
  void raw(std::string_view bytes);
  void name(std::string_view n);  // , "n":
  // One entry of a versions array: {"value": V, "clock": C}, with "key": K first when key is
  // given, and ", " before it unless first.
  void version(const std::string_view* key, VersionView v, bool first);

  std::string& out_;
  std::size_t begin_;  // where this message starts in out_
  std::size_t used_;   // out_'s bytes in use; the rest of out_.size() is room
  bool finished_ = false;
  bool array_empty_ = true;  // inside begin/end_keyed_versions: nothing added yet
};

}  // namespace vckv
