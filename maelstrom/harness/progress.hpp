// What the harness prints while a run goes: phase and nemesis lines as they happen, and a
// progress line (time, operations, current fault): rewritten in place on a terminal, printed
// every `interval` seconds otherwise.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace vckv::harness {

struct ProgressCounts {
  double time_s = 0;
  std::string phase;  // workload, recovery, final reads
  std::size_t ops = 0, ok = 0, fail = 0, info = 0;
  std::size_t writes_acknowledged = 0;
  std::string fault;  // the fault now in force, or ""
  std::size_t reads_done = 0, reads_total = 0;  // final reads / probes
};

// "[  12.0 s] workload: 1203 ops (ok 1190, fail 3, info 10), 600 writes acked; now: halves: n1 n2 | n3"
std::string progress_text(const ProgressCounts& c);

class Progress {
 public:
  // live: rewrite one line in place (a terminal); else print a line every interval_s (0: never).
  Progress(std::ostream& out, bool live, double interval_s);
  // A line of its own (a phase, a fault starting or ending).
  void line(const std::string& text);
  // Updates the progress line; printed if due (or forced).
  void update(const ProgressCounts& c, bool force = false);
  // Clears a live line before the summary.
  void finish();

 private:
  void clear_live();
  std::ostream& out_;
  bool live_;
  double interval_s_;
  double last_s_ = -1e18;
  bool live_shown_ = false;
};

}  // namespace vckv::harness
