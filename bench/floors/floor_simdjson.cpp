// floor-simdjson: simdjson on-demand over each line, extracting src, body.type, body.msg_id and
// body.key (values and clocks are skipped, not validated in depth); the reply is appended by
// hand. Roughly the fastest a parse-and-reply loop can go without a store.
#include <simdjson.h>

#include "floor_common.hpp"

int main() {
  simdjson::ondemand::parser parser;
  std::uint64_t next_id = 0;
  std::uint64_t key_bytes = 0;  // the key is read, as a store would need it
  const int status = floors::run(
      [&](std::string_view line, std::string& out) {
        // floors::run keeps SIMDJSON_PADDING readable bytes after every line.
        simdjson::padded_string_view view(line.data(), line.size(),
                                          line.size() + simdjson::SIMDJSON_PADDING);
        simdjson::ondemand::document doc;
        if (parser.iterate(view).get(doc)) return;
        // Strings unescape into the parser's buffer and stay valid for this document.
        std::string_view src, type, raw_key;
        std::uint64_t msg_id = 0;
        simdjson::ondemand::object body;
        if (doc["src"].get_string().get(src)) return;
        if (doc["body"].get_object().get(body)) return;
        if (body["type"].get_string().get(type)) return;
        if (body["msg_id"].get_uint64().get(msg_id)) return;
        simdjson::ondemand::value k;
        if (!body["key"].get(k)) {
          raw_key = k.raw_json_token();
          key_bytes += raw_key.size();
        }
        floors::append_reply(out, src, type, msg_id, next_id++);
      },
      simdjson::SIMDJSON_PADDING);
  std::fprintf(stderr, "floor-simdjson: %llu key bytes\n", static_cast<unsigned long long>(key_bytes));
  return status;
}
