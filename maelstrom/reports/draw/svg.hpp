// messages.svg: a Lamport (spacetime) diagram of a run. One vertical line per node, then one for
// all the clients (each arrow's hover names its client), time running down; one arrow per message from its sender at the send time to
// its recipient at the delivery time, coloured by message type; a dropped message ends in a
// cross on its recipient's line at its drop time; partitions are shaded bands (the nodes of each
// side coloured alike, each cut link an arc), killed and paused nodes have their line broken.
// Hovering an arrow shows the message; the title, legend and column names stay at the top of
// the browser window while it scrolls. A long run is drawn for a window of time holding at most
// a few thousand messages, by default around the first fault through its heal; the file says
// which window.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reports/files/net_log.hpp"
#include "reports/files/run_view.hpp"

namespace vckv::reports {

struct SvgMessage {
  std::uint64_t id = 0;
  double send_ms = 0;
  double at_ms = 0;  // delivered or dropped; send_ms when undelivered
  std::string from, to, type;
  Fate fate = Fate::kDelivered;
  std::string drop_reason;
  std::string body;  // the message body as JSON text, for the hover
};

// Maps event times to y positions: distinct times get distinct rows in time order, spaced in
// proportion to the time between them but never closer than min_gap nor further than max_gap.
class RowLayout {
 public:
  RowLayout(std::vector<double> times_ms, double top, double px_per_ms, double min_gap, double max_gap);
  double y(double time_ms) const;  // a time between rows is interpolated
  double bottom() const { return ys_.empty() ? top_ : ys_.back(); }

 private:
  std::vector<double> times_, ys_;
  double top_;
};

struct Window {
  double from_ms = 0;
  double to_ms = 0;
  std::size_t messages = 0;  // in the window
  bool whole_run = true;
};

// The window to draw, from every message's send time (sorted). A requested window (from/to
// >= 0, in ms) is kept, cut short after max_messages. Otherwise the whole run when it has at
// most max_messages. Else, with an end hint (>= 0: just after the first fault's heal), the
// messages sent up to the end hint, from the start hint (just before the fault) or as late as
// keeps them within max_messages; without one, max_messages messages from the start hint on.
Window choose_window(const std::vector<double>& sorted_send_ms, std::size_t max_messages, double from_ms,
                     double to_ms, double start_hint_ms, double end_hint_ms = -1);

// The colour arrows of this message type are drawn in: one per type known to the node.
std::string type_colour(const std::string& type);

struct SvgInput {
  RunView run;
  std::vector<std::string> processes;  // columns, left to right
  std::string client_column;  // non-empty: every process not in `processes` is drawn on this column
  std::vector<SvgMessage> messages;    // those sent in the window
  Window window;
  std::size_t total_messages = 0;
  std::string store_dir;  // for the "draw another window" hint
};

// The whole SVG document.
std::string render_svg(const SvgInput& in);

// Reads <dir>/net.jsonl and <dir>/results.json and writes <dir>/<output> for the chosen window
// (from/to in seconds, negative: automatic). Returns "" or an error; `note` says what was drawn.
std::string write_messages_svg(const std::string& dir, const std::string& output, std::size_t max_messages,
                               double from_s, double to_s, std::string& note);

}  // namespace vckv::reports
