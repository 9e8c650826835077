#include "report.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "stats.hpp"

extern char** environ;

namespace vckv::harness {

namespace {

const char* const kOutcomes[] = {"ok", "fail", "info"};
const char* const kColours[] = {"#1b9e77", "#d95f02", "#7570b3"};

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

void shade(std::ostream& gp, const std::vector<Shade>& partitions) {
  int n = 1;
  for (const Shade& s : partitions) {
    gp << "set object " << n++ << " rect from " << s.start_s << ", graph 0 to " << s.end_s
       << ", graph 1 fillcolor rgb '#f4cccc' fillstyle solid 0.6 noborder behind\n";
  }
}

}  // namespace

std::string write_plots(const std::string& dir, const std::vector<OpRecord>& ops,
                        const std::vector<Shade>& partitions, double duration_s) {
  const std::string gnuplot = find_on_path("gnuplot");
  if (gnuplot.empty()) return "gnuplot not found on PATH; plots skipped";
  if (ops.empty()) return "no client requests; plots skipped";

  // Data files: latency points per outcome, and requests per second per outcome.
  std::vector<double> times[3];
  for (int o = 0; o < 3; ++o) {
    std::ofstream dat(dir + "/latency-" + kOutcomes[o] + ".dat");
    dat << "# invoke_s latency_ms\n";
    for (const OpRecord& op : ops) {
      if (op.outcome != kOutcomes[o]) continue;
      dat << op.invoke_s << ' ' << std::max(op.latency_ms, 0.001) << '\n';
      times[o].push_back(op.invoke_s);
    }
  }
  {
    std::ofstream dat(dir + "/rate.dat");
    dat << "# second ok fail info (requests started per second)\n";
    std::vector<std::size_t> bins[3];
    // Whole seconds only: a last, partial second would look like a drop in throughput.
    const double whole = std::max(1.0, std::floor(duration_s));
    for (int o = 0; o < 3; ++o) bins[o] = bin_counts(times[o], 1.0, whole);
    for (std::size_t i = 0; i < bins[0].size(); ++i) {
      dat << static_cast<double>(i) + 0.5 << ' ' << bins[0][i] << ' ' << bins[1][i] << ' ' << bins[2][i] << '\n';
    }
  }

  std::ofstream gp(dir + "/plots.gnuplot");
  gp << "set terminal pngcairo size 900,400 font ',10'\n"
     << "set key outside right\nset grid\nset xlabel 'time (s)'\n"
     << "set xrange [0:" << duration_s << "]\n";
  shade(gp, partitions);
  gp << "set output '" << dir << "/latency-raw.png'\n"
     << "set title 'Latency of each client request (shaded: partitions)'\n"
     << "set ylabel 'latency (ms)'\nset logscale y\nplot ";
  // Only outcomes that occurred: gnuplot warns about empty files.
  const char* sep = "";
  for (int o = 0; o < 3; ++o) {
    if (times[o].empty()) continue;
    gp << sep << "'" << dir << "/latency-" << kOutcomes[o] << ".dat' using 1:2 with points pt 7 ps 0.4 lc rgb '"
       << kColours[o] << "' title '" << kOutcomes[o] << "'";
    sep = ", ";
  }
  gp << "\nunset logscale y\nset output '" << dir << "/rate.png'\n"
     << "set title 'Client requests per second (shaded: partitions)'\n"
     << "set ylabel 'requests/s'\nset yrange [0:*]\nplot ";
  sep = "";
  for (int o = 0; o < 3; ++o) {
    if (times[o].empty()) continue;
    gp << sep << "'" << dir << "/rate.dat' using 1:" << o + 2 << " with linespoints pt 7 ps 0.5 lc rgb '"
       << kColours[o] << "' title '" << kOutcomes[o] << "'";
    sep = ", ";
  }
  gp << "\n";
  gp.close();

  const std::string script = dir + "/plots.gnuplot";
  char* argv[] = {const_cast<char*>(gnuplot.c_str()), const_cast<char*>(script.c_str()), nullptr};
  const std::string log = dir + "/gnuplot.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return "could not start gnuplot; plots skipped";
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "gnuplot failed (see " + log + ")";
  return "";
}

}  // namespace vckv::harness
