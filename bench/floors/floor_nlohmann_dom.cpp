// floor-nlohmann-dom: json::parse each line into a DOM, build an ordered_json reply and dump it.
// What "just use nlohmann" costs per message, with no store behind it.
#include <nlohmann/json.hpp>

#include "floor_common.hpp"

int main() {
  std::uint64_t next_id = 0;
  return floors::run([&](std::string_view line, std::string& out) {
    nlohmann::json in = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (in.is_discarded() || !in.is_object()) return;
    const nlohmann::json& body = in["body"];
    nlohmann::ordered_json reply;
    reply["src"] = in.value("dest", "");
    reply["dest"] = in.value("src", "");
    nlohmann::ordered_json rbody;
    rbody["type"] = body.value("type", "") + "_ok";
    if (body.contains("msg_id")) rbody["in_reply_to"] = body["msg_id"];
    if (body.contains("key")) rbody["key"] = body["key"];
    rbody["msg_id"] = next_id++;
    reply["body"] = std::move(rbody);
    out += reply.dump();
    out += '\n';
  });
}
