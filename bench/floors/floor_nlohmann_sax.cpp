// floor-nlohmann-sax: json::sax_parse each line with a handler that builds no DOM and keeps only
// src, body.type and body.msg_id; the reply is appended by hand. nlohmann's tokenizer cost alone.
#include <nlohmann/json.hpp>

#include "floor_common.hpp"

namespace {

using json = nlohmann::json;

struct Extract : nlohmann::json_sax<json> {
  int depth = 0;
  std::string last_key;
  std::string src, type, msg_id;

  void reset() {
    depth = 0;
    src.clear();
    type.clear();
    msg_id.clear();
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override {
    if (depth == 2 && last_key == "msg_id") msg_id = std::to_string(v);
    return true;
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (depth == 2 && last_key == "msg_id") msg_id = std::to_string(v);
    return true;
  }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t& v) override {
    if (depth == 1 && last_key == "src") src = v;
    else if (depth == 2 && last_key == "type") type = v;
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    ++depth;
    return true;
  }
  bool key(string_t& k) override {
    last_key = k;
    return true;
  }
  bool end_object() override {
    --depth;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth;
    return true;
  }
  bool end_array() override {
    --depth;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

}  // namespace

int main() {
  Extract sax;
  std::uint64_t next_id = 0;
  return floors::run([&](std::string_view line, std::string& out) {
    sax.reset();
    if (!json::sax_parse(line.begin(), line.end(), &sax)) return;
    floors::append_reply(out, sax.src, sax.type, sax.msg_id.empty() ? "null" : sax.msg_id,
                         next_id++);
  });
}
