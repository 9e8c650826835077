// vckv-micro: Google Benchmark micro-benchmarks of the codec seam, on typical workload lines.
// Shows how a message's cost splits between parsing (parse_json), validation/typing
// (decode_line = parse + field checks + renders of key/value) and reply rendering.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/node/messages.hpp"
#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/codec.hpp"
#include "vckv/wire/message_builder.hpp"

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
    vckv::Decoded d = vckv::decode_line(kPut, limits, vckv::message_catalog());
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPut.size()));
}
BENCHMARK(BM_decode_line_put);

void BM_decode_line_get(benchmark::State& state) {
  const vckv::CodecLimits limits;
  for (auto _ : state) {
    vckv::Decoded d = vckv::decode_line(kGet, limits, vckv::message_catalog());
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
    vckv::MessageBuilder m(out, "n1", "c4", "kv_put_ok", in_reply_to);
    m.field_string("status", "conflict").field_uint("siblings", 2);
    m.finish(id++);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_render_put_reply);

void BM_render_get_reply_2_siblings(benchmark::State& state) {
  std::string out;
  const std::optional<std::string> in_reply_to = std::string("123457");
  vckv::SiblingStore store;
  store.merge_version("k", vckv::Version{"\"9xCDsd14KYsKjUqb\"", vckv::VectorClock{12, 3, 5, 1}});
  store.merge_version("k", vckv::Version{"\"yQ4x401vM9A86Irb\"", vckv::VectorClock{11, 4, 5, 1}});
  const vckv::Siblings sibs = store.find("k");
  std::uint64_t id = 0;
  for (auto _ : state) {
    out.clear();
    vckv::MessageBuilder m(out, "n1", "c2", "kv_get_ok", in_reply_to);
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
