// libFuzzer target over the node's line handling: arbitrary bytes are framed into lines and fed
// to a Node, as stdin would be. Besides "no crash" it asserts the node's output invariants:
// - every output line is one JSON object in docs/protocol.md §2 format: rendering it again gives the
//   same bytes (except that a sync or hint writes a plain version as a tuple without spaces,
//   [key,value,clock], docs/protocol.md §11), keys src, dest, body in order, body starting with
//   type and ending with msg_id;
// - msg_ids are 0, 1, 2, ... in output order;
// - a line that got an error reply (or no reply) left the store unchanged;
// - the codec's fast path decodes every line exactly as its general path does.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "../../src/wire/codec_fast.hpp"  // white-box: the fast path is internal
#include "../wire/decoded_text.hpp"
#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/node/messages.hpp"
#include "vckv/node/node.hpp"
#include "vckv/runtime/event_loop.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/wire/clock_json.hpp"
#include "vckv/wire/codec.hpp"

namespace {

[[noreturn]] void fail(const std::string& what, std::string_view line) {
  std::fprintf(stderr, "invariant broken: %s\nline: %.*s\n", what.c_str(),
               static_cast<int>(std::min<std::size_t>(line.size(), 2000)), line.data());
  std::abort();
}

// The store as one string, to tell whether a line changed it.
std::string snapshot(const vckv::SiblingStore& store) {
  std::string out = std::to_string(store.key_count());
  store.for_each([&](std::string_view key, vckv::Siblings siblings) {
    out += '\n';
    out += key;
    out += '=';
    out += vckv::describe(siblings);
  });
  return out;
}

std::uint64_t g_next_msg_id = 0;

// The line the node must have written for v: json.dumps form throughout, but for a body whose
// "versions" is an array (a sync or a hint to a peer), whose three-item array items are plain
// versions written as [key,value,clock] without spaces (the value in json.dumps form).
std::string expected_form(const vckv::JValue& v) {
  if (v.kind != vckv::JValue::Kind::Object || v.keys.size() != 3 || v.keys[2] != "body") {
    return vckv::to_json(v);
  }
  const vckv::JValue* versions = v.items[2].find("versions");
  if (versions == nullptr || versions->kind != vckv::JValue::Kind::Array) return vckv::to_json(v);
  std::string tuples = "[";
  for (std::size_t i = 0; i < versions->items.size(); ++i) {
    const vckv::JValue& item = versions->items[i];
    if (i) tuples += ',';
    if (item.kind != vckv::JValue::Kind::Array || item.items.size() != 3 ||
        item.items[2].kind != vckv::JValue::Kind::Array) {
      tuples += vckv::to_json(item);
      continue;
    }
    tuples += '[' + vckv::to_json(item.items[0]) + ',' + vckv::to_json(item.items[1]) + ",[";
    for (std::size_t j = 0; j < item.items[2].items.size(); ++j) {
      if (j) tuples += ',';
      tuples += vckv::to_json(item.items[2].items[j]);
    }
    tuples += "]]";
  }
  tuples += ']';
  vckv::JValue placeholder = v;
  vckv::JValue& slot = placeholder.items[2].find_mutable("versions");
  slot = vckv::JValue{};
  slot.kind = vckv::JValue::Kind::String;
  slot.text = "@versions@";
  std::string out = vckv::to_json(placeholder);
  const std::string marker = "\"versions\": \"@versions@\"";
  const std::size_t at = out.find(marker);
  if (at == std::string::npos) return vckv::to_json(v);
  return out.replace(at, marker.size(), "\"versions\": " + tuples);
}

// Checks each output line and returns whether any was an error reply.
bool check_output(const std::string& out, std::string_view input_line) {
  bool error = false;
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    if (end == std::string::npos) fail("output does not end with a newline", input_line);
    const std::string_view line(out.data() + start, end - start);
    start = end + 1;
    vckv::JValue v;
    std::string parse_error;
    if (!vckv::parse_json(line, v, parse_error, 1000)) fail("output is not JSON: " + std::string(line), input_line);
    if (expected_form(v) != line) fail("output is not in json.dumps form: " + std::string(line), input_line);
    if (v.kind != vckv::JValue::Kind::Object || v.keys.size() != 3 || v.keys[0] != "src" ||
        v.keys[1] != "dest" || v.keys[2] != "body") {
      fail("envelope keys are not src, dest, body: " + std::string(line), input_line);
    }
    const vckv::JValue& body = v.items[2];
    if (body.kind != vckv::JValue::Kind::Object || body.keys.size() < 2 || body.keys.front() != "type" ||
        body.keys.back() != "msg_id") {
      fail("body does not start with type and end with msg_id: " + std::string(line), input_line);
    }
    if (body.items.back().text != std::to_string(g_next_msg_id)) {
      fail("msg_id " + body.items.back().text + " where " + std::to_string(g_next_msg_id) + " was next",
           input_line);
    }
    ++g_next_msg_id;
    if (body.items.front().text == "error") error = true;
  }
  return error;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::ostringstream logs;
  vckv::Logger log(logs, vckv::LogLevel::kDebug);
  std::string out;
  vckv::NodeOptions options;
  options.max_siblings = 4;
  options.codec.max_clock_entries = 16;
  vckv::ManualScheduler clock;
  vckv::Node node(options, out, clock, log);
  const vckv::MessageCatalog& catalog = vckv::message_catalog();
  g_next_msg_id = 0;
  vckv::LineFramer framer(
      4096,
      [&](std::string_view line, std::uint64_t number) {
        // Where the fast decoding path accepts a line, it must agree with the general one,
        // also when it decodes into what the line before left (as the node reuses one object).
        static vckv::Decoded fast(std::in_place_type<vckv::Incoming>);
        auto& fast_in = std::get<vckv::Incoming>(fast);
        if (fast_in.is_reply) fast_in.reply_body = vckv::JValue{};  // as decode_line does
        if (vckv::detail::decode_fast(line, options.codec, catalog, fast_in)) {
          const std::string fast_text = vckv::testing::decoded_text(fast);
          const std::string general_text =
              vckv::testing::decoded_text(vckv::decode_line_general(line, options.codec, catalog));
          if (fast_text != general_text) {
            fail("fast path: " + fast_text + "\ngeneral path: " + general_text, line);
          }
        }
        const std::string before = snapshot(node.store());
        out.clear();
        node.handle_line(line, number);
        const bool error = check_output(out, line);
        if ((error || out.empty()) && snapshot(node.store()) != before) {
          fail(out.empty() ? "a line without a reply changed the store"
                           : "a request answered with an error changed the store",
               line);
        }
        // Replication traffic (flushed before the loop would wait, resent by timers) is
        // numbered in the same sequence.
        out.clear();
        clock.before_sleep();
        clock.advance_by(37);
        check_output(out, line);
      },
      [](std::uint64_t, std::uint64_t) {});
  framer.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  framer.finish();
  return 0;
}
