// A decoded line as one string, so that two decodings can be compared with ==
// (codec tests and the fuzz target hold the fast path to the general one with it).
#pragma once

#include <string>
#include <variant>

#include "vckv/wire/clock_json.hpp"
#include "vckv/wire/codec.hpp"

namespace vckv::testing {

inline std::string decoded_text(const Decoded& d) {
  if (const auto* u = std::get_if<Unanswerable>(&d)) return "unanswerable: " + u->reason;
  const Incoming& in = std::get<Incoming>(d);
  auto opt = [](const auto& o) -> std::string {
    if (!o) return "-";
    if constexpr (std::is_same_v<std::decay_t<decltype(*o)>, Error>) {
      return std::to_string(static_cast<int>(o->code)) + " " + o->text;
    } else if constexpr (std::is_same_v<std::decay_t<decltype(*o)>, std::string>) {
      return *o;
    } else {
      return std::to_string(*o);
    }
  };
  std::string s = "src=" + in.src + " dest=" + opt(in.dest) + " dest_error=" + opt(in.dest_error) +
                  " envelope_error=" + opt(in.envelope_error) + " reply=" + (in.is_reply ? "1" : "0") +
                  " in_reply_to=" + opt(in.in_reply_to) + " type=" + in.type + " kind=" + std::to_string(in.kind) +
                  " msg_id=" + opt(in.msg_id) + " incarnation=" + opt(in.incarnation) +
                  " request_error=" + opt(in.request_error) + " request=";
  struct Describe {
    std::string operator()(std::monostate) const { return "none"; }
    std::string operator()(const InitRequest& r) const {
      std::string t = "init " + r.node_id;
      for (const auto& id : r.node_ids) t += " " + id;
      return t;
    }
    std::string operator()(const WriteRequest& r) const {
      return "write " + r.key + " " + r.version.value + "@" + clock_json(r.version.clock);
    }
    std::string operator()(const GetRequest& r) const { return "get " + r.key; }
    static std::string uints(const std::vector<std::uint64_t>& xs) {
      std::string t;
      for (std::uint64_t x : xs) t += " " + std::to_string(x);
      return t;
    }
    std::string operator()(const TreeRequest& r) const {
      return "tree " + std::to_string(r.level) + " nodes" + uints(r.nodes) + " hashes" +
             uints(r.hashes) + " counts" + uints(r.counts);
    }
    std::string operator()(const TreeKeysRequest& r) const {
      std::string t = "tree_keys " + std::to_string(r.level) + " nodes" + uints(r.nodes) + " keys";
      for (const auto& k : r.keys) t += " " + k;
      return t + " hashes" + uints(r.hashes) + (r.answer ? " answer" : "");
    }
    std::string operator()(const ReapRequest& r) const {
      std::string t = "reap " + r.key;
      for (const auto& c : r.clocks) t += " " + clock_json(c);
      return t;
    }
    std::string operator()(const SyncRequest& r) const {
      std::string t = "sync";
      for (const auto& v : r.versions) t += " " + v.key + "=" + v.version.value + "@" + clock_json(v.version.clock);
      return t;
    }
  };
  return s + std::visit(Describe{}, in.request);
}

}  // namespace vckv::testing
