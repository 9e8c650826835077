#include "reports/draw/plots.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "reports/draw/stats.hpp"

extern char** environ;

namespace vckv::reports {

namespace {

// delete (docs/protocol.md §16) only in runs that sent any: without, the files and the script
// are those of get, put and resolve alone.
const char* const kFs[] = {"get", "put", "resolve", "delete"};
const char* const kFColours[] = {"#1f77b4", "#2ca02c", "#9467bd", "#bcbd22"};
// Server clocks (§17): dvv_get is drawn as a get, dvv_update as a put, dvv_delete as a delete.
int f_index(const std::string& f) {
  return f == "get" || f == "dvv_get"         ? 0
         : f == "put" || f == "dvv_update"    ? 1
         : f == "delete" || f == "dvv_delete" ? 3
                                              : 2;
}
// Every outcome class, each with its gnuplot point type: filled circle, filled triangle, cross,
// open diamond, x, open square (timed out: drawn at the timeout).
struct ClassStyle {
  model::OpClass op_class;
  int point;
};
const ClassStyle kClasses[] = {{model::OpClass::kOk, 7},         {model::OpClass::kConflict, 9},
                               {model::OpClass::kStale, 1},      {model::OpClass::kSuperseded, 12},
                               {model::OpClass::kError, 2},      {model::OpClass::kIndeterminate, 4}};
const char* class_title(model::OpClass c) {
  return c == model::OpClass::kIndeterminate ? "timed out (info)" : model::op_class_name(c);
}

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Fault bands, labelled, the recovery window and the final reads, drawn behind every plot.
void annotate(std::ostream& gp, const PlotInput& in) {
  int object = 1, label = 1;
  auto band = [&](double a, double b, const char* colour, const std::string& text, double y) {
    gp << "set object " << object++ << " rect from " << a << ", graph 0 to " << b << ", graph 1 fillcolor rgb '"
       << colour << "' fillstyle solid 0.55 noborder behind\n";
    if (text.empty()) return;
    gp << "set label " << label++ << " " << quoted(text) << " at " << (a + b) / 2 << ", graph " << y
       << " center font ',8' front\n";
  };
  int i = 0;
  for (const PlotFault& f : in.faults) {
    const char* colour = f.kind == model::FaultKind::kPartition ? "#f4cccc" : (f.kind == model::FaultKind::kKill || f.kind == model::FaultKind::kDiskLoss) ? "#d0d0d0" : "#fde9a9";
    band(f.start_s, f.end_s, colour, f.label, i++ % 2 ? 0.90 : 0.96);
  }
  if (in.final_heal_s && in.recovery_end_s) {
    band(*in.final_heal_s, *in.recovery_end_s, "#dbe8f6", "recovery", 0.96);
    gp << "set arrow from " << *in.final_heal_s << ", graph 0 to " << *in.final_heal_s
       << ", graph 1 nohead lc rgb '#3070b0' dt 2 front\n";
    // The final reads take a moment: labelled only when the band is wide enough to hold it.
    if (in.end_s > *in.recovery_end_s) {
      band(*in.recovery_end_s, in.end_s, "#eeeeee", in.end_s - *in.recovery_end_s > 0.08 * in.end_s ? "final reads" : "",
           0.90);
    }
  }
}

double bin_width(double duration_s) { return std::max(1.0, std::ceil(duration_s / 120)); }

}  // namespace

std::string write_plot_script(const std::string& dir, const PlotInput& in) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "plot-data", ec);
  const double end = std::max(in.end_s, 1.0);
  const double width = bin_width(end);
  const std::size_t bins = static_cast<std::size_t>(std::ceil(end / width));

  const bool has_deletes =
      std::any_of(in.ops.begin(), in.ops.end(), [](const OpRecord& op) { return op.f == "delete" || op.f == "dvv_delete"; });
  const int nf = has_deletes ? 4 : 3;
  // Latency points per operation and outcome.
  std::map<std::pair<int, std::size_t>, std::size_t> point_counts;
  for (int f = 0; f < nf; ++f) {
    for (std::size_t k = 0; k < std::size(kClasses); ++k) {
      std::ofstream dat(dir + "/plot-data/latency-" + kFs[f] + "-" + model::op_class_name(kClasses[k].op_class) +
                        ".dat");
      dat << "# invoke_s latency_ms (a request that timed out: the time it waited)\n";
      for (const OpRecord& op : in.ops) {
        if (f_index(op.f) != f || op.op_class != kClasses[k].op_class) continue;
        dat << op.invoke_s << ' ' << std::max(op.latency_ms, 0.001) << '\n';
        ++point_counts[{f, k}];
      }
    }
  }
  // Quantiles, rates, siblings and conflicts per bin.
  std::vector<std::vector<double>> lat[4];
  std::vector<std::size_t> started[4], failed(bins, 0), info(bins, 0);
  std::vector<double> sibling_sum(bins, 0), sibling_max(bins, 0);
  std::vector<std::size_t> gets_ok(bins, 0), writes_acked(bins, 0), conflicts(bins, 0);
  for (int f = 0; f < 4; ++f) {
    lat[f].assign(bins, {});
    started[f].assign(bins, 0);
  }
  for (const OpRecord& op : in.ops) {
    const auto b = std::min(bins - 1, static_cast<std::size_t>(std::max(0.0, op.invoke_s) / width));
    const int f = f_index(op.f);
    ++started[f][b];
    if (op.op_class == model::OpClass::kIndeterminate) ++info[b];
    if (op.op_class == model::OpClass::kStale || op.op_class == model::OpClass::kSuperseded ||
        op.op_class == model::OpClass::kError) {
      ++failed[b];
    }
    if (op.op_class != model::OpClass::kIndeterminate) lat[f][b].push_back(op.latency_ms);
    if (f == 0 && op.op_class == model::OpClass::kOk && op.siblings >= 0) {
      ++gets_ok[b];
      sibling_sum[b] += op.siblings;
      sibling_max[b] = std::max(sibling_max[b], static_cast<double>(op.siblings));
    }
    if (f > 0 && (op.op_class == model::OpClass::kOk || op.op_class == model::OpClass::kConflict)) {
      ++writes_acked[b];
      conflicts[b] += op.op_class == model::OpClass::kConflict;
    }
  }
  // A panel per operation with any request; its quantile lines when some got a reply.
  bool has_quantiles[4] = {false, false, false, false}, has_replies[4] = {false, false, false, false};
  for (int f = 0; f < nf; ++f) {
    for (std::size_t b = 0; b < bins; ++b) has_quantiles[f] = has_quantiles[f] || started[f][b] > 0;
    std::ofstream dat(dir + "/plot-data/quantiles-" + kFs[f] + ".dat");
    dat << "# bin_mid_s p50 p95 p99 max (ms; requests that got a reply, by start time)\n";
    for (std::size_t b = 0; b < bins; ++b) {
      if (lat[f][b].empty()) continue;
      has_replies[f] = true;
      const auto& s = lat[f][b];
      dat << (static_cast<double>(b) + 0.5) * width << ' ' << std::max(quantile(s, 0.5), 0.001) << ' '
          << std::max(quantile(s, 0.95), 0.001) << ' ' << std::max(quantile(s, 0.99), 0.001) << ' '
          << std::max(*std::max_element(s.begin(), s.end()), 0.001) << '\n';
    }
  }
  {
    std::ofstream dat(dir + "/plot-data/rate.dat");
    dat << "# bin_mid_s get put resolve fail info" << (has_deletes ? " delete" : "") << " (requests started per second)\n";
    for (std::size_t b = 0; b < bins; ++b) {
      dat << (static_cast<double>(b) + 0.5) * width;
      for (int f = 0; f < 3; ++f) dat << ' ' << static_cast<double>(started[f][b]) / width;
      dat << ' ' << static_cast<double>(failed[b]) / width << ' ' << static_cast<double>(info[b]) / width;
      if (has_deletes) dat << ' ' << static_cast<double>(started[3][b]) / width;
      dat << '\n';
    }
  }
  {
    std::ofstream dat(dir + "/plot-data/siblings.dat");
    dat << "# bin_mid_s mean_siblings_per_get max_siblings conflict_percent_of_acknowledged_writes\n";
    for (std::size_t b = 0; b < bins; ++b) {
      if (gets_ok[b] == 0 && writes_acked[b] == 0) continue;
      dat << (static_cast<double>(b) + 0.5) * width << ' '
          << (gets_ok[b] ? sibling_sum[b] / static_cast<double>(gets_ok[b]) : 0) << ' ' << sibling_max[b] << ' '
          << (writes_acked[b] ? 100.0 * static_cast<double>(conflicts[b]) / static_cast<double>(writes_acked[b]) : 0)
          << '\n';
    }
  }
  // The siblings axis holds the most siblings a get returned, with room above it.
  const double most_siblings = std::max(1.0, *std::max_element(sibling_max.begin(), sibling_max.end()));
  bool has_probes = false;
  {
    std::ofstream dat(dir + "/plot-data/probes.dat");
    dat << "# round_start_s keys_disagreeing keys_with_siblings (complete probe rounds and the final read)\n";
    for (const ProbeRound& r : in.rounds) {
      if (!r.complete) continue;
      has_probes = true;
      dat << r.start_s << ' ' << r.disagreeing_keys << ' ' << r.keys_with_siblings << '\n';
    }
  }
  std::vector<std::string> net_types;
  {
    std::ofstream dat(dir + "/plot-data/network.dat");
    dat << "# second_mid dropped";
    for (const auto& [type, counts] : in.node_sent_per_second) {
      dat << ' ' << type;
      net_types.push_back(type);
    }
    dat << " (node-to-node messages sent per second, by send time)\n";
    std::size_t seconds = static_cast<std::size_t>(std::ceil(end));
    for (std::size_t s = 0; s < seconds; ++s) {
      dat << static_cast<double>(s) + 0.5 << ' '
          << (s < in.node_dropped_per_second.size() ? in.node_dropped_per_second[s] : 0);
      for (const auto& [type, counts] : in.node_sent_per_second) dat << ' ' << (s < counts.size() ? counts[s] : 0);
      dat << '\n';
    }
  }

  // siblings.svg: per key, the versions each answered read returned, at the time it was
  // answered (0 before the first); then the mean over the keys drawn of each one's latest.
  std::map<std::int64_t, std::vector<std::pair<double, int>>> per_key;
  for (const OpRecord& op : in.ops) {
    if (f_index(op.f) != 0 || op.op_class != model::OpClass::kOk || op.siblings < 0) continue;
    if (!per_key.count(op.key) && per_key.size() >= kSiblingPlotKeys) continue;
    per_key[op.key].emplace_back(op.invoke_s + op.latency_ms / 1000, op.siblings);
  }
  {
    std::ofstream dat(dir + "/plot-data/siblings-per-key.dat");
    dat << "# one block per key (gnuplot index i: the i-th key below): answered_s versions_read\n";
    std::vector<std::tuple<double, std::int64_t, int>> all;
    for (auto& [key, points] : per_key) {
      std::stable_sort(points.begin(), points.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      dat << "# key " << key << "\n0 0\n";
      for (const auto& [t, n] : points) {
        dat << t << ' ' << n << '\n';
        all.emplace_back(t, key, n);
      }
      dat << end << ' ' << (points.empty() ? 0 : points.back().second) << "\n\n\n";
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    dat << "# mean over the keys above of the latest read of each: time mean\n0 0\n";
    std::map<std::int64_t, int> latest;
    double sum = 0;
    for (const auto& [t, key, n] : all) {
      sum += n - latest[key];
      latest[key] = n;
      dat << t << ' ' << sum / static_cast<double>(per_key.size()) << '\n';
    }
    dat << end << ' ' << (per_key.empty() ? 0 : sum / static_cast<double>(per_key.size())) << '\n';
  }

  // The script reads plot-data/ relative to the run directory and runs from there.
  std::ostringstream gp;
  gp << "# Run from this directory: gnuplot plots.gnuplot\n"
     << "set terminal pngcairo noenhanced size 1000,420 font ',10'\n"
     << "set key outside right\nset grid\nset xlabel 'time (s since the start of the run)'\n"
     << "set xrange [0:" << end << "]\n";
  annotate(gp, in);

  gp << "set output 'latency-raw.png'\n"
     << "set title 'Latency of each client request by operation (colour) and outcome (shape); shaded: faults, recovery'\n"
     << "set ylabel 'latency (ms)'\nset logscale y\nplot ";
  const char* sep = "";
  for (int f = 0; f < nf; ++f) {
    for (std::size_t k = 0; k < std::size(kClasses); ++k) {
      if (!point_counts.count({f, k})) continue;
      const bool timed_out = kClasses[k].op_class == model::OpClass::kIndeterminate;
      gp << sep << "'plot-data/latency-" << kFs[f] << "-" << model::op_class_name(kClasses[k].op_class)
         << ".dat' using 1:2 with points pt " << kClasses[k].point << " ps " << (timed_out ? "0.8" : "0.45")
         << " lc rgb '" << kFColours[f] << "' title '" << kFs[f] << " " << class_title(kClasses[k].op_class) << "'";
      sep = ", ";
    }
  }
  gp << "\n";

  int panels = 0;
  for (bool h : has_quantiles) panels += h;
  gp << "set terminal pngcairo noenhanced size 1000," << 120 + 260 * std::max(panels, 1) << " font ',10'\n"
     << "set output 'latency-quantiles.png'\nset multiplot layout " << std::max(panels, 1) << ",1 title "
     << quoted("Latency quantiles per " + std::to_string(static_cast<int>(width)) + " s of request start time") << "\n";
  // Each panel: the quantiles of the requests that got a reply, and every request that did not
  // end ok as a point of its class (those that timed out at the time they waited).
  for (int f = 0; f < nf; ++f) {
    if (!has_quantiles[f]) continue;
    gp << "set title '" << kFs[f] << "'\nset ylabel 'ms'\nplot ";
    const char* panel_sep = "";
    if (has_replies[f]) {
      gp << "'plot-data/quantiles-" << kFs[f]
         << ".dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb '#1b9e77' title 'p50 (ok and other replies)', '' "
            "using 1:3 with lines lc rgb '#d95f02' title 'p95', '' using 1:4 with lines lc rgb '#7570b3' title "
            "'p99', '' using 1:5 with lines lc rgb '#999999' dt 2 title 'max'";
      panel_sep = ", ";
    }
    for (std::size_t k = 0; k < std::size(kClasses); ++k) {
      if (kClasses[k].op_class == model::OpClass::kOk || !point_counts.count({f, k})) continue;
      gp << panel_sep << "'plot-data/latency-" << kFs[f] << "-" << model::op_class_name(kClasses[k].op_class)
         << ".dat' using 1:2 with points pt " << kClasses[k].point << " ps 0.7 lc rgb '"
         << (kClasses[k].op_class == model::OpClass::kIndeterminate ? "#d62728" : "#555555") << "' title '"
         << class_title(kClasses[k].op_class) << "'";
      panel_sep = ", ";
    }
    gp << "\n";
  }
  gp << "unset multiplot\nunset logscale y\n";

  gp << "set terminal pngcairo noenhanced size 1000,420 font ',10'\nset output 'rate.png'\n"
     << "set title 'Client requests started per second, by operation; failed and indeterminate ones over all operations'\n"
     << "set ylabel 'requests/s'\nset yrange [0:*]\nplot 'plot-data/rate.dat' using 1:2 with linespoints pt 7 ps 0.4 lc "
        "rgb '#1f77b4' title 'get', '' using 1:3 with linespoints pt 7 ps 0.4 lc rgb '#2ca02c' title 'put', '' using "
        "1:4 with linespoints pt 7 ps 0.4 lc rgb '#9467bd' title 'resolve', '' using 1:5 with lines lc rgb '#d62728' "
        "title 'fail (stale, superseded, error)', '' using 1:6 with lines lc rgb '#ff7f0e' title 'info (indeterminate)'"
     << (has_deletes ? ", '' using 1:7 with linespoints pt 7 ps 0.4 lc rgb '#bcbd22' title 'delete'" : "") << "\n";

  gp << "set terminal pngcairo noenhanced size 1000,700 font ',10'\nset output 'siblings.png'\nset multiplot layout 2,1\n"
     << "set lmargin 10\nset rmargin 36\n"
     << "set title 'Siblings returned by gets, and the share of acknowledged writes that left a conflict'\n"
     << "set ylabel 'siblings'\nset yrange [0:" << most_siblings + 1 << "]\nset y2label 'conflict %'\n"
     << "set y2range [0:100]\nset y2tics\nset ytics nomirror\n"
     << "plot 'plot-data/siblings.dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb '#1f77b4' title 'mean siblings per "
        "get', '' using 1:3 with steps lc rgb '#9467bd' title 'most siblings in a get', '' using 1:4 axes x1y2 with "
        "lines lc rgb '#d62728' title 'conflict % of acked writes'\n"
     << "unset y2label\nunset y2tics\nset ytics mirror\n"
     << "set title 'Convergence: keys on which the nodes disagree, read in rounds after the final heal'\n"
     << "set ylabel 'keys'\n";
  if (has_probes) {
    // The rounds on an axis of their own, from the final heal to the last round: recovery takes
    // a fraction of a second in a run of many, and would be a sliver on the run's axis.
    // When the nodes agree early and stay agreed, the axis ends at four times that (the later
    // rounds say the same).
    double lo = in.final_heal_s.value_or(in.end_s), hi = lo;
    std::optional<double> agreed_from;
    for (const ProbeRound& r : in.rounds) {
      if (!r.complete) continue;
      lo = std::min(lo, r.start_s);
      hi = std::max(hi, std::max(r.start_s, r.end_s));
      if (r.disagreeing_keys > 0) {
        agreed_from.reset();
      } else if (!agreed_from) {
        agreed_from = r.start_s;
      }
    }
    if (agreed_from) hi = std::min(hi, lo + 4 * std::max(*agreed_from - lo, 0.1));
    const double pad = std::max((hi - lo) * 0.05, 0.01);
    gp << "unset object\nunset label\nunset arrow\nset xrange [" << lo - pad << ":" << hi + pad << "]\n"
       << "set xlabel 'time (s since the start of the run; recovery only)'\nset yrange [0:*]\n";
    if (in.final_heal_s) {
      gp << "set arrow from " << *in.final_heal_s << ", graph 0 to " << *in.final_heal_s
         << ", graph 1 nohead lc rgb '#3070b0' dt 2 front\nset label 1 'final heal' at " << *in.final_heal_s
         << ", graph 0.95 left offset 0.5,0 font ',8' tc rgb '#3070b0' front\n";
    }
    gp << "plot 'plot-data/probes.dat' using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#d62728' title 'keys "
          "disagreeing', '' using 1:3 with linespoints pt 6 ps 0.5 lc rgb '#9467bd' title 'keys with siblings'\n";
    gp << "unset arrow\nunset label\nset xrange [0:" << end
       << "]\nset xlabel 'time (s since the start of the run)'\n";
    annotate(gp, in);
  } else {
    gp << "set label 99 'no probe rounds' at graph 0.5, graph 0.5 center\nplot 1/0 notitle\nunset label 99\n";
  }
  gp << "unset multiplot\nunset lmargin\nunset rmargin\nset yrange [*:*]\n";

  gp << "set terminal pngcairo noenhanced size 1000,420 font ',10'\nset output 'network.png'\n"
     << "set title 'Node-to-node messages sent per second, by type; and those dropped (partitions, dead nodes)'\n"
     << "set ylabel 'messages/s'\nset yrange [0:*]\nplot 'plot-data/network.dat' using 1:2 with lines lw 2 lc rgb "
        "'#d62728' title 'dropped'";
  for (std::size_t i = 0; i < net_types.size(); ++i) {
    gp << ", '' using 1:" << i + 3 << " with linespoints pt 7 ps 0.3 title " << quoted(net_types[i]);
  }
  gp << "\n";

  gp << "set terminal svg size 1000,480 dynamic font 'sans,11' noenhanced\nset output 'siblings.svg'\n"
     << "set title " << quoted("Versions each read returned, per key (" + in.clocks_label + "); shaded: faults, recovery")
     << "\nset ylabel 'versions read (values and tombstones)'\nset yrange [0:*]\nplot ";
  std::size_t block = 0;
  for (const auto& [key, points] : per_key) {
    gp << (block ? ", " : "") << "'plot-data/siblings-per-key.dat' index " << block << " using 1:2 with steps lw 1 title "
       << quoted("key " + std::to_string(key));
    ++block;
  }
  gp << (block ? ", " : "") << "'plot-data/siblings-per-key.dat' index " << block
     << " using 1:2 with steps lw 3 lc rgb 'black' title 'mean over keys'\n";
  return gp.str();
}

std::string write_plots(const std::string& dir, const PlotInput& in, std::vector<std::string>& files) {
  const std::string gnuplot = find_on_path("gnuplot");
  if (gnuplot.empty()) return "gnuplot not found on PATH; plots skipped";
  if (in.ops.empty()) return "no client requests; plots skipped";
  {
    std::ofstream script(dir + "/plots.gnuplot");
    script << write_plot_script(dir, in);
    if (!script) return "cannot write " + dir + "/plots.gnuplot; plots skipped";
  }
  char* argv[] = {const_cast<char*>(gnuplot.c_str()), const_cast<char*>("plots.gnuplot"), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 2, "plot-data/gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return "could not start gnuplot; plots skipped";
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "gnuplot failed (see plot-data/gnuplot.log)";
  for (const char* png :
       {"latency-raw.png", "latency-quantiles.png", "rate.png", "siblings.png", "network.png", "siblings.svg"}) {
    files.push_back(png);
  }
  files.push_back("plots.gnuplot");
  return "";
}

}  // namespace vckv::reports
