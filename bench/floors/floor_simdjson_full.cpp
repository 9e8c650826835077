// floor-simdjson-full: simdjson on-demand over each line, reading every field the node reads —
// src, dest, body.type, body.msg_id, body.key, body.value (walked to its last scalar, strings
// unescaped, numbers converted) and every body.clock entry as an unsigned integer — with no
// validation beyond what simdjson does and no store; the reply is appended by hand.
// This is the parse-only floor: the same parsing work as the node, nothing else.
// (floor-simdjson reads four fields only and skips the rest; it bounds a node that would not
// look at values or clocks, which this one cannot be.)
#include <simdjson.h>

#include "floor_common.hpp"

namespace {

using simdjson::ondemand::json_type;

// Touches every scalar of a JSON value; returns false on a parse error.
bool walk(simdjson::ondemand::value v, std::uint64_t& sink) {
  json_type t;
  if (v.type().get(t)) return false;
  switch (t) {
    case json_type::array: {
      simdjson::ondemand::array a;
      if (v.get_array().get(a)) return false;
      for (auto item : a) {
        simdjson::ondemand::value e;
        if (item.get(e) || !walk(e, sink)) return false;
      }
      return true;
    }
    case json_type::object: {
      simdjson::ondemand::object o;
      if (v.get_object().get(o)) return false;
      for (auto field : o) {
        std::string_view k;
        if (field.unescaped_key().get(k)) return false;
        sink += k.size();
        if (!walk(field.value(), sink)) return false;
      }
      return true;
    }
    case json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      sink += s.size();
      return true;
    }
    case json_type::number: {
      double d;
      if (v.get_double().get(d)) return false;
      sink += static_cast<std::uint64_t>(d != 0);
      return true;
    }
    case json_type::boolean: {
      bool b;
      if (v.get_bool().get(b)) return false;
      sink += b;
      return true;
    }
    case json_type::null:
      return !v.is_null().error();
  }
  return false;
}

}  // namespace

int main() {
  simdjson::ondemand::parser parser;
  std::uint64_t next_id = 0;
  std::uint64_t sink = 0;  // keeps the reads observable
  std::uint64_t failed = 0;
  const int status = floors::run(
      [&](std::string_view line, std::string& out) {
        simdjson::padded_string_view view(line.data(), line.size(),
                                          line.size() + simdjson::SIMDJSON_PADDING);
        simdjson::ondemand::document doc;
        simdjson::ondemand::object top;
        std::string_view src, dest, type;
        std::uint64_t msg_id = 0;
        bool ok = !parser.iterate(view).get(doc) && !doc.get_object().get(top);
        // Every field is visited once, in line order, as the node's decoder does.
        for (auto field : top) {
          if (!ok) break;
          std::string_view name;
          if (field.unescaped_key().get(name)) {
            ok = false;
          } else if (name == "src") {
            ok = !field.value().get_string().get(src);
          } else if (name == "dest") {
            ok = !field.value().get_string().get(dest);
          } else if (name == "body") {
            simdjson::ondemand::object body;
            if (field.value().get_object().get(body)) {
              ok = false;
              break;
            }
            for (auto b : body) {
              if (!ok) break;
              if (b.unescaped_key().get(name)) {
                ok = false;
              } else if (name == "type") {
                ok = !b.value().get_string().get(type);
              } else if (name == "msg_id") {
                ok = !b.value().get_uint64().get(msg_id);
              } else if (name == "clock") {
                simdjson::ondemand::array clock;
                ok = !b.value().get_array().get(clock);
                if (ok) {
                  for (auto entry : clock) {
                    std::uint64_t n;
                    if (entry.get_uint64().get(n)) {
                      ok = false;
                      break;
                    }
                    sink += n;
                  }
                }
              } else {
                ok = walk(b.value(), sink);  // key, value, node_id, node_ids, ...
              }
            }
          } else {
            ok = walk(field.value(), sink);
          }
        }
        if (!ok || src.empty() || type.empty()) {
          ++failed;
          return;
        }
        sink += dest.size();
        floors::append_reply(out, src, type, msg_id, next_id++);
      },
      simdjson::SIMDJSON_PADDING);
  std::fprintf(stderr, "floor-simdjson-full: %llu unparsed lines (sink %llu)\n",
               static_cast<unsigned long long>(failed), static_cast<unsigned long long>(sink));
  return status;
}
