// vckv-micro: Google Benchmark micro-benchmarks of the codec seam, on typical workload lines.
// Shows how a message's cost splits between parsing (parse_json), validation/typing
// (decode_line = parse + field checks + renders of key/value) and reply rendering.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "vckv/codec.hpp"
#include "vckv/json_text.hpp"

namespace {

constexpr std::string_view kPut =
    R"({"src":"c4","dest":"n1","body":{"type":"kv_put","msg_id":123456,"key":"k00048","value":"9xCDsd14KYsKjUqb","clock":[12,3,5,1]}})";
constexpr std::string_view kGet =
    R"({"src":"c2","dest":"n1","body":{"type":"kv_get","msg_id":123457,"key":"k00590"}})";

void BM_parse_json_put(benchmark::State& state) {
  vckv::JValue v;
  std::string error;
  for (auto _ : state) {
    bool ok = vckv::parse_json(kPut, v, error, 208);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPut.size()));
}
BENCHMARK(BM_parse_json_put);

void BM_decode_line_put(benchmark::State& state) {
  const vckv::CodecLimits limits;
  for (auto _ : state) {
    vckv::Decoded d = vckv::decode_line(kPut, limits);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPut.size()));
}
BENCHMARK(BM_decode_line_put);

void BM_decode_line_get(benchmark::State& state) {
  const vckv::CodecLimits limits;
  for (auto _ : state) {
    vckv::Decoded d = vckv::decode_line(kGet, limits);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kGet.size()));
}
BENCHMARK(BM_decode_line_get);

void BM_render_put_reply(benchmark::State& state) {
  std::string out;
  const std::optional<std::string> in_reply_to = std::string("123456");
  std::uint64_t id = 0;
  for (auto _ : state) {
    out.clear();
    vckv::MessageBuilder m(out, "n1", "c4", vckv::reply_type("kv_put"), in_reply_to);
    m.field_string("status", "conflict").field_uint("siblings", 2);
    m.finish(id++);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_render_put_reply);

void BM_render_get_reply_2_siblings(benchmark::State& state) {
  std::string out;
  const std::optional<std::string> in_reply_to = std::string("123457");
  vckv::SiblingSet sibs;
  const std::uint64_t c1[] = {12, 3, 5, 1}, c2[] = {11, 4, 5, 1};
  sibs.append("\"9xCDsd14KYsKjUqb\"", c1);
  sibs.append("\"yQ4x401vM9A86Irb\"", c2);
  std::uint64_t id = 0;
  for (auto _ : state) {
    out.clear();
    vckv::MessageBuilder m(out, "n1", "c2", vckv::reply_type("kv_get"), in_reply_to);
    m.field_versions("values", sibs);
    m.finish(id++);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_render_get_reply_2_siblings);

void BM_append_json_string_value(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    vckv::append_json_string(out, "9xCDsd14KYsKjUqb");
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_append_json_string_value);

}  // namespace

BENCHMARK_MAIN();
