#include "reports/draw/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "reports/files/format.hpp"

namespace vckv::reports {

namespace {

using json = nlohmann::json;

constexpr double kColumn = 104;  // a bar holds "resolve 10 → n10"
constexpr double kLeft = 80;
constexpr std::size_t kMaxBody = 1200;

std::string fmt(double v, int decimals = 1) { return fixed(v, decimals); }

std::string cut(const std::string& s) { return s.size() > kMaxBody ? s.substr(0, kMaxBody) + " ..." : s; }

long number_of(const std::string& p) { return p.size() > 1 ? std::atol(p.c_str() + 1) : 0; }

}  // namespace

double round_tick_ms(double min_ms) {
  if (!(min_ms > 0)) return 1;
  const double decade = std::pow(10.0, std::floor(std::log10(min_ms)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= min_ms * (1 - 1e-9)) return m * decade;
  }
  return 10 * decade;
}

double timeline_scale(const std::vector<TimelineOp>& ops, double target_px, double max_height) {
  if (ops.empty()) return 1;
  std::map<std::string, std::vector<double>> starts;
  double t0 = ops.front().invoke_ms, t1 = t0;
  for (const TimelineOp& op : ops) {
    starts[op.process].push_back(op.invoke_ms);
    t0 = std::min(t0, op.invoke_ms);
    t1 = std::max(t1, op.complete_ms);
  }
  std::vector<double> gaps;
  for (auto& [p, s] : starts) {
    std::sort(s.begin(), s.end());
    for (std::size_t i = 1; i < s.size(); ++i) gaps.push_back(s[i] - s[i - 1]);
  }
  double scale = 0.1;
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
    const double median = std::max(gaps[gaps.size() / 2], 0.01);
    scale = std::clamp(target_px / median, 0.005, 20.0);
  }
  const double span = std::max(t1 - t0, 1.0);
  return std::min(scale, max_height / span);
}

std::string render_timeline(const TimelineInput& in) {
  std::vector<std::string> processes;
  {
    std::set<std::string> seen;
    for (const TimelineOp& op : in.ops) seen.insert(op.process);
    processes.assign(seen.begin(), seen.end());
    std::sort(processes.begin(), processes.end(), [](const std::string& a, const std::string& b) {
      return number_of(a) != number_of(b) ? number_of(a) < number_of(b) : a < b;
    });
  }
  std::map<std::string, double> col;
  for (std::size_t i = 0; i < processes.size(); ++i) col[processes[i]] = kLeft + kColumn * static_cast<double>(i);
  double t0 = 0, t1 = 0;
  if (!in.ops.empty()) {
    t0 = in.ops.front().invoke_ms;
    t1 = t0;
    for (const TimelineOp& op : in.ops) {
      t0 = std::min(t0, op.invoke_ms);
      t1 = std::max(t1, op.complete_ms);
    }
  }
  // The whole run's timeline runs on to the final heal, so the end of the faults shows.
  if (!in.window && in.run.final_heal_ms && *in.run.final_heal_ms > t1 && !in.ops.empty()) t1 = *in.run.final_heal_ms;
  const double scale = timeline_scale(in.ops, 14, 150000);
  const double top = 30;
  auto y = [&](double t) { return top + (t - t0) * scale; };
  const double height = y(t1) + 60;
  const double width = kLeft + kColumn * static_cast<double>(std::max<std::size_t>(processes.size(), 1)) + 320;

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Timeline: " << xml_escape(in.run.title)
    << "</title>\n<style>\n"
    << "body{font-family:sans-serif;font-size:13px;margin:12px;color:#222}\n"
    << "h1{font-size:17px;margin:0 0 6px 0} p{margin:4px 0}\n"
    << ".key span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px}\n"
    << ".tl{position:relative;border-top:1px solid #ccc}\n"
    << ".col{position:absolute;top:0;width:" << kColumn - 10 << "px;text-align:center;font-weight:bold}\n"
    << ".life{position:absolute;width:1px;background:#e2e2e2}\n"
    << ".op{position:absolute;width:" << kColumn - 14
    << "px;border-radius:2px;font-size:10px;line-height:11px;overflow:hidden;color:#111;"
       "box-shadow:0 0 0 1px rgba(0,0,0,.25) inset;cursor:default}\n"
    << ".op:hover{outline:2px solid #000;z-index:5}\n"
    << ".ok{background:#7cc47c}.conflict{background:#f2c14e}.stale{background:#e0894a}"
       ".superseded{background:#c9a06a}"
       ".error{background:#e05050}.indeterminate{background:#a58ad8}\n"
    << ".band{position:absolute;left:0;right:0}\n.band span{position:absolute;right:6px;font-size:11px}\n"
    << ".partition{background:rgba(244,204,204,.45)}.kill{background:rgba(190,190,190,.4)}"
       ".pause{background:rgba(253,233,169,.5)}\n"
    << ".tick{position:absolute;left:0;width:" << kLeft - 8 << "px;text-align:right;font-size:10px;color:#666}\n"
    << ".heal{position:absolute;left:0;right:0;border-top:2px dashed #3070b0;color:#3070b0;font-size:11px;"
       "text-align:right}\n"
    << "</style></head><body>\n";
  h << "<h1>Timeline of run " << xml_escape(in.run.title) << "</h1>\n";
  h << "<p>One column per client; time runs down (" << fmt(1 / scale, 2) << " ms per pixel). A bar spans a request "
    << "from its invocation to its reply (at least 3 px) and names the node it went to (put 2 → n3). Hover a bar for "
       "the request and the reply.</p>\n";
  if (in.window) {
    h << "<p><b>A window of the run:</b> " << in.ops.size() << " of " << in.total_ops << " operations, invoked from "
      << fmt(t0 / 1000, 3) << " s to " << fmt(t1 / 1000, 3) << " s.</p>\n";
  } else {
    h << "<p>The whole run: " << in.ops.size() << " operations.</p>\n";
  }
  h << "<p class=\"key\"><span class=\"ok\">ok</span><span class=\"conflict\">conflict (write acknowledged, "
       "siblings remain)</span><span class=\"stale\">stale (write refused)</span><span class=\"superseded\">superseded (lww: lost the order at once)</span><span class=\"error\">error "
       "reply</span><span class=\"indeterminate\">indeterminate (no reply, or error 0)</span> &nbsp; bands: "
       "<span class=\"partition\">partition</span><span class=\"kill\">kill</span><span "
       "class=\"pause\">pause</span></p>\n";
  h << "<div class=\"tl\" style=\"height:" << fmt(height, 0) << "px;width:" << fmt(width, 0) << "px\">\n";
  for (const ViewFault& f : in.run.faults) {
    if (f.end_ms < t0 || f.start_ms > t1) continue;
    const double a = y(std::max(f.start_ms, t0)), b = y(std::min(f.end_ms, t1));
    h << "<div class=\"band " << xml_escape(f.kind) << "\" style=\"top:" << fmt(a) << "px;height:"
      << fmt(std::max(b - a, 2.0)) << "px\" title=\""
      << xml_escape(f.description + ", " + fmt(f.start_ms / 1000, 3) + "-" + fmt(f.end_ms / 1000, 3) + " s")
      << "\"><span>" << xml_escape(f.description) << "</span></div>\n";
  }
  if (in.run.final_heal_ms && *in.run.final_heal_ms >= t0 && *in.run.final_heal_ms <= t1) {
    h << "<div class=\"heal\" style=\"top:" << fmt(y(*in.run.final_heal_ms)) << "px\">final heal: clients stop, recovery starts&nbsp;</div>\n";
  }
  for (const std::string& p : processes) {
    h << "<div class=\"col\" style=\"left:" << fmt(col[p]) << "px\">" << xml_escape(p) << "</div>"
      << "<div class=\"life\" style=\"left:" << fmt(col[p] + (kColumn - 10) / 2) << "px;top:" << top
      << "px;height:" << fmt(height - top - 20) << "px\"></div>\n";
  }
  // Ticks at round times, at least 60 px apart.
  const double step = round_tick_ms(60 / scale);
  const int decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  for (double t = std::ceil(t0 / step) * step; y(t) < height - 40; t += step) {
    h << "<div class=\"tick\" style=\"top:" << fmt(y(t) - 6) << "px\">" << fmt(t / 1000, decimals) << " s</div>\n";
  }
  for (const TimelineOp& op : in.ops) {
    const double a = y(op.invoke_ms), len = std::max((op.complete_ms - op.invoke_ms) * scale, 3.0);
    const std::string tip = op.process + " " + op.f + " key " + op.key + " at " + op.node + "\ninvoked " +
                            fmt(op.invoke_ms / 1000, 6) + " s, " +
                            (op.outcome == "indeterminate" && op.reply == "null" ? "no reply by " : "completed ") +
                            fmt(op.complete_ms / 1000, 6) + " s (" + fmt(op.complete_ms - op.invoke_ms, 3) +
                            " ms)\noutcome: " + op.outcome + " (" + op.status + ")\nrequest: " + cut(op.request) +
                            "\nreply: " + cut(op.reply);
    h << "<div class=\"op " << xml_escape(op.outcome) << "\" style=\"left:" << fmt(col[op.process] + 2) << "px;top:"
      << fmt(a) << "px;height:" << fmt(len) << "px\" title=\"" << xml_escape(tip) << "\">"
      << (len >= 11 ? xml_escape(op.f + " " + op.key + " → " + op.node) : "") << "</div>\n";
  }
  h << "</div>\n</body></html>\n";
  return h.str();
}

std::string write_timeline(const std::string& dir, std::size_t max_ops, std::string& note) {
  TimelineInput in;
  {
    std::ifstream r(dir + "/results.json");
    if (r) in.run = run_view_from_results(json::parse(r, nullptr, false));
  }
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(dir, ec);
  in.run.title = run_title(ec ? dir : canonical.string());
  std::ifstream hist(dir + "/history.jsonl");
  if (!hist) return "cannot read " + dir + "/history.jsonl";
  // A window from a second before the first fault when there are too many operations.
  double from_ms = -1;
  std::size_t total = 0;
  {
    std::ifstream count(dir + "/history.jsonl");
    for (std::string line; std::getline(count, line);) total += line.find("\"type\":\"invoke\"") != std::string::npos;
  }
  if (total > max_ops) {
    in.window = true;
    from_ms = in.run.faults.empty() ? 0 : std::max(0.0, in.run.faults.front().start_ms - 1000);
  }
  in.total_ops = total;
  std::map<std::uint64_t, TimelineOp> open;
  for (std::string line; std::getline(hist, line) && in.ops.size() < max_ops;) {
    const json e = json::parse(line, nullptr, false);
    if (!e.is_object() || !e.contains("index") || !e["index"].is_number_unsigned()) continue;
    const auto index = e["index"].get<std::uint64_t>();
    if (e.value("type", "") == "invoke") {
      if (e.value("time_ms", 0.0) < from_ms) continue;
      TimelineOp op;
      op.process = e.value("process", "?");
      op.f = e.value("f", "?");
      op.key = e.contains("key") ? e["key"].dump() : "?";
      op.node = e.value("node", "?");
      op.invoke_ms = e.value("time_ms", 0.0);
      op.request = e.contains("request") ? e["request"].dump(-1, ' ', false, json::error_handler_t::replace) : "null";
      open.emplace(index, std::move(op));
      continue;
    }
    auto it = open.find(index);
    if (it == open.end()) continue;
    TimelineOp op = std::move(it->second);
    open.erase(it);
    op.complete_ms = e.value("time_ms", op.invoke_ms);
    op.outcome = e.value("outcome", "indeterminate");
    op.status = e.value("status", "");
    op.reply = e.contains("reply") ? e["reply"].dump(-1, ' ', false, json::error_handler_t::replace) : "null";
    in.ops.push_back(std::move(op));
  }
  std::sort(in.ops.begin(), in.ops.end(),
            [](const TimelineOp& a, const TimelineOp& b) { return a.invoke_ms < b.invoke_ms; });
  std::ofstream out(dir + "/timeline.html");
  out << render_timeline(in);
  if (!out) return "cannot write " + dir + "/timeline.html";
  note = in.window ? "timeline.html: " + std::to_string(in.ops.size()) + " of " + std::to_string(total) +
                         " operations, from " + fmt(std::max(from_ms, 0.0) / 1000, 3) + " s on"
                   : "timeline.html: all " + std::to_string(in.ops.size()) + " operations";
  return "";
}

}  // namespace vckv::reports
