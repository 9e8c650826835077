#include "harness/progress.hpp"

#include <cstdio>
#include <ostream>

namespace vckv::harness {

std::string progress_text(const ProgressCounts& c) {
  char head[48];
  std::snprintf(head, sizeof head, "[%7.1f s] ", c.time_s);
  std::string out = head + c.phase + ": ";
  if (c.reads_total > 0) {
    out += std::to_string(c.reads_done) + "/" + std::to_string(c.reads_total) + " reads; ";
  }
  out += std::to_string(c.ops) + " ops (ok " + std::to_string(c.ok) + ", fail " + std::to_string(c.fail) +
         ", info " + std::to_string(c.info) + "), " + std::to_string(c.writes_acknowledged) + " writes acknowledged";
  if (!c.fault.empty()) out += "; now: " + (c.fault.size() > 90 ? c.fault.substr(0, 87) + "..." : c.fault);
  return out;
}

Progress::Progress(std::ostream& out, bool live, double interval_s)
    : out_(out), live_(live), interval_s_(interval_s) {}

void Progress::clear_live() {
  if (live_shown_) {
    out_ << "\r\033[K";
    live_shown_ = false;
  }
}

void Progress::line(const std::string& text) {
  clear_live();
  out_ << text << std::endl;
}

void Progress::update(const ProgressCounts& c, bool force) {
  if (live_) {
    if (!force && c.time_s - last_s_ < 0.25) return;
    last_s_ = c.time_s;
    std::string text = progress_text(c);
    if (text.size() > 160) text = text.substr(0, 157) + "...";
    out_ << "\r\033[K" << text << std::flush;
    live_shown_ = true;
    return;
  }
  if (interval_s_ <= 0) return;
  if (!force && c.time_s - last_s_ < interval_s_) return;
  last_s_ = c.time_s;
  out_ << progress_text(c) << std::endl;
}

void Progress::finish() { clear_live(); }

}  // namespace vckv::harness
