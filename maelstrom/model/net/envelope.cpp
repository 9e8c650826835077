#include "model/net/envelope.hpp"

#include <nlohmann/json.hpp>

namespace vckv::model {

namespace {

using json = nlohmann::json;

// Records the fields of interest while nlohmann's parser validates the line.
class HeadSax : public nlohmann::json_sax<json> {
 public:
  explicit HeadSax(EnvelopeHead& head) : head_(head) {}

  bool null() override { return value(Kind::kOther); }
  bool boolean(bool) override { return value(Kind::kOther); }
  bool number_integer(number_integer_t v) override {
    if (v >= 0) return number_unsigned(static_cast<number_unsigned_t>(v));
    return value(Kind::kOther);
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (depth_ == 2 && in_body_) {
      if (key_ == "msg_id") head_.msg_id = v;
      if (key_ == "in_reply_to") head_.in_reply_to = v;
    }
    return value(Kind::kOther);
  }
  bool number_float(number_float_t, const string_t&) override { return value(Kind::kOther); }
  bool string(string_t& s) override {
    if (depth_ == 1) {
      if (key_ == "src") { head_.src = s; has_src_ = true; }
      if (key_ == "dest") { head_.dest = s; has_dest_ = true; }
    } else if (depth_ == 2 && in_body_ && key_ == "type") {
      head_.type = s;
      has_type_ = true;
    }
    return value(Kind::kOther);
  }
  bool binary(binary_t&) override { return value(Kind::kOther); }
  bool start_object(std::size_t) override {
    if (depth_ == 0) top_object_ = true;
    if (depth_ == 1 && key_ == "body") { in_body_ = true; has_body_ = true; }
    ++depth_;
    key_.clear();
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ <= 2) key_ = k;
    return true;
  }
  bool end_object() override {
    --depth_;
    if (depth_ == 1) in_body_ = false;
    key_.clear();
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    return false;
  }

  const std::string& error() const { return error_; }
  std::string shape_error() const {
    if (!top_object_) return "not an object";
    if (!has_src_) return "no string src";
    if (!has_dest_) return "no string dest";
    if (!has_body_) return "no object body";
    if (!has_type_) return "no string body.type";
    return "";
  }

 private:
  enum class Kind { kOther };
  bool value(Kind) {
    // A non-string src/dest/type or a non-object body: the key was seen with another value.
    if (depth_ == 1 && key_ == "body") has_body_ = false;
    return true;
  }

  EnvelopeHead& head_;
  int depth_ = 0;
  bool in_body_ = false;
  std::string key_;
  bool top_object_ = false, has_src_ = false, has_dest_ = false, has_body_ = false, has_type_ = false;
  std::string error_;
};

}  // namespace

EnvelopeParse parse_envelope(std::string_view line) {
  EnvelopeParse out;
  EnvelopeHead head;
  HeadSax sax(head);
  const bool ok = json::sax_parse(line.begin(), line.end(), &sax);
  if (!ok) {
    out.error = "not JSON: " + sax.error();
    return out;
  }
  if (std::string shape = sax.shape_error(); !shape.empty()) {
    out.error = "malformed envelope (" + shape + ")";
    return out;
  }
  out.head = std::move(head);
  return out;
}

bool fast_envelope_head(std::string_view line, std::string_view& dest, std::string_view& type) {
  static constexpr std::string_view kDest = "\"dest\": \"";
  static constexpr std::string_view kType = "\"body\": {\"type\": \"";
  std::size_t d = line.find(kDest);
  if (d == std::string_view::npos) return false;
  d += kDest.size();
  const std::size_t d_end = line.find('"', d);
  if (d_end == std::string_view::npos) return false;
  std::size_t t = line.find(kType, d_end);
  if (t == std::string_view::npos) return false;
  t += kType.size();
  const std::size_t t_end = line.find('"', t);
  if (t_end == std::string_view::npos) return false;
  dest = line.substr(d, d_end - d);
  type = line.substr(t, t_end - t);
  return dest.find('\\') == std::string_view::npos && type.find('\\') == std::string_view::npos;
}

}  // namespace vckv::model
