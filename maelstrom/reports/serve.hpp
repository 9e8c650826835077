// `vckv-harness serve`: a small HTTP server on localhost over the store. "/" lists every run,
// newest first, coloured by verdict, with links to its diagrams and plots; any path below is the
// store's file or directory of that name (a directory gets a listing, a run directory its run
// page). One connection at a time, GET and HEAD only, nothing outside the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/files/run_archive.hpp"

namespace vckv::reports {

struct ServeOptions {
  std::string store = "store";
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed)
};

// Serves until killed. Prints "serving <store> at http://HOST:PORT/" once listening.
int run_serve(const ServeOptions& options);

// ---- pieces, pure, for tests ----

struct HttpRequest {
  std::string method;
  std::string path;  // decoded, without the query
};
// The request line of an HTTP/1.x request head; nullopt when malformed.
std::optional<HttpRequest> parse_request_head(std::string_view head);
// %XX decoding; nullopt for a bad escape or a NUL.
std::optional<std::string> url_decode(std::string_view text);
// "/kv-partition/2026.../messages.svg" -> "kv-partition/2026.../messages.svg"; nullopt when a
// segment is "..", or the path is not absolute.
std::optional<std::string> store_relative(const std::string& url_path);
// By extension: text/html, image/svg+xml, image/png, application/json, text/plain...
std::string content_type(const std::string& path);
// %-encodes everything but unreserved characters and '/'.
std::string url_encode_path(const std::string& path);

std::string index_page(const std::string& store, const std::vector<RunEntry>& runs);
// A run directory's page: verdict, reasons, links to its files, its plots inline.
std::string run_page(const std::string& store, const std::string& rel, const std::string& dir);
// Any other directory: a listing.
std::string listing_page(const std::string& rel, const std::string& dir);

}  // namespace vckv::reports
