#include "reports/serve.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vckv::reports {
namespace {

TEST(ServeTest, ExampleRequestLine) {
  auto r = parse_request_head("GET /kv-partition/x/messages.svg?v=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/kv-partition/x/messages.svg");
  EXPECT_EQ(parse_request_head("GET /a%20b HTTP/1.0\r\n\r\n")->path, "/a b");
  EXPECT_FALSE(parse_request_head("GET /x\r\n\r\n"));
  EXPECT_FALSE(parse_request_head("garbage"));
  EXPECT_FALSE(parse_request_head("GET x HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_request_head("GET /%zz HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_request_head("GET /%00 HTTP/1.1\r\n\r\n"));
}

TEST(ServeTest, PathsStayInsideTheStore) {
  EXPECT_EQ(store_relative("/"), "");
  EXPECT_EQ(store_relative("/kv/x/./results.json"), "kv/x/results.json");
  EXPECT_EQ(store_relative("//kv//x/"), "kv/x");
  EXPECT_FALSE(store_relative("/kv/../../etc/passwd"));
  EXPECT_FALSE(store_relative("/.."));
  EXPECT_FALSE(store_relative("relative"));
}

TEST(ServeTest, ContentTypesAndEncoding) {
  EXPECT_EQ(content_type("a/messages.svg"), "image/svg+xml");
  EXPECT_EQ(content_type("timeline.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type("rate.png"), "image/png");
  EXPECT_EQ(content_type("results.json"), "application/json");
  EXPECT_EQ(content_type("net.jsonl"), "text/plain; charset=utf-8");
  EXPECT_EQ(url_encode_path("kv-kill+pause/x y"), "kv-kill%2Bpause/x%20y");
}

TEST(ServeTest, IndexListsRunsColouredByVerdict) {
  const std::vector<RunEntry> runs = {
      {"kv-partition", "20261123T100000", "kv-partition/20261123T100000", "valid", "5 nodes"},
      {"kv-none", "20261123T090000", "kv-none/20261123T090000", "invalid", "3 nodes"},
      {"repl", "20261123T080000", "repl/20261123T080000", "", ""}};
  const std::string page = index_page("store", runs);
  EXPECT_LT(page.find("20261123T100000"), page.find("20261123T090000"));
  EXPECT_NE(page.find("class=\"verdict valid\""), std::string::npos);
  EXPECT_NE(page.find("class=\"verdict invalid\""), std::string::npos);
  EXPECT_NE(page.find("class=\"verdict none\">(no result)"), std::string::npos);
  EXPECT_NE(page.find("href=\"/kv-partition/20261123T100000/messages.svg\""), std::string::npos);
  EXPECT_NE(page.find("href=\"/kv-partition/20261123T100000/timeline.html\""), std::string::npos);
}

TEST(ServeTest, ARunPageShowsTheSavedSummaryAndLinksEveryFile) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "serve-run-page";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "plot-data");
  std::ofstream(dir / "results.json") << R"({"verdict":"valid","reasons":[]})";
  std::ofstream(dir / "summary.txt") << "ops: 1520 ok, 3 indeterminate <all>\nverdict: VALID\n";
  std::ofstream(dir / "history.edn") << "{}\n";
  const std::string page = run_page("store", "kv/x", dir.string());
  EXPECT_NE(page.find("<pre id=\"summary\">ops: 1520 ok, 3 indeterminate &lt;all&gt;\nverdict: VALID\n</pre>"),
            std::string::npos)
      << page;
  for (const char* file : {"results.json", "summary.txt", "history.edn", "plot-data/"}) {
    EXPECT_NE(page.find(std::string(">") + file + "</a>"), std::string::npos) << file;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vckv::reports
