// The plots of a finished run, drawn with gnuplot when it is installed: latency-raw.png,
// latency-quantiles.png, rate.png, siblings.png, network.png, and siblings.svg (the versions
// each read of a key returned over time, one line per key, and their mean over the keys: the
// plot to set a --clocks client run beside a --clocks server run of the same seed). Their data go to plot-data/ and
// the script to plots.gnuplot, which runs from the run directory (`gnuplot plots.gnuplot`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/faults/fault.hpp"
#include "reports/files/run_record.hpp"

namespace vckv::reports {

struct PlotFault {
  model::FaultKind kind;
  double start_s;
  double end_s;
  std::string label;  // "halves", "kill n2"
};

struct PlotInput {
  std::vector<OpRecord> ops;
  std::vector<PlotFault> faults;
  std::optional<double> final_heal_s;
  std::optional<double> recovery_end_s;
  double end_s = 0;  // the x axis runs from 0 to here (recovery and final reads included)
  std::vector<ProbeRound> rounds;
  std::map<std::string, std::vector<std::uint32_t>> node_sent_per_second;
  std::vector<std::uint32_t> node_dropped_per_second;
  // Who keeps the clocks, for siblings.svg's title: "client clocks", "server clocks, 2 blind
  // writers" (docs/protocol.md §17).
  std::string clocks_label = "client clocks";
};

// Keys drawn in siblings.svg: the first this many that a read answered.
inline constexpr std::size_t kSiblingPlotKeys = 20;

// Writes the plot data into dir/plot-data/ and returns the gnuplot script that draws them from
// dir. Every outcome class a request ended in is drawn in latency-raw.png and, but for ok (the
// quantile lines), as points in latency-quantiles.png; a request that timed out at the time it
// waited. Faults are shaded on every time plot.
std::string write_plot_script(const std::string& dir, const PlotInput& in);

// Writes the plots into dir and appends their names to `files`. Returns "" on success, else
// a note saying why there are no plots.
std::string write_plots(const std::string& dir, const PlotInput& in, std::vector<std::string>& files);

}  // namespace vckv::reports
