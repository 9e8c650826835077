#include "reports/draw/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "reports/files/format.hpp"

namespace vckv::reports {

namespace {

using json = nlohmann::json;

constexpr double kColumnWidth = 86;  // the narrowest column
constexpr double kMaxColumnWidth = 170;
constexpr double kMinWidth = 1100;
constexpr double kLeft = 90;     // room for the time axis
constexpr double kHeader = 166;  // title, notes, one legend row, process names
constexpr double kLegendRow = 18;
constexpr std::size_t kMaxBodyChars = 1500;

// One colour per message type, a request and its reply in shades of one hue; types the node
// does not send today get the extra colours, by a hash of their name.
struct TypeColour {
  const char* type;
  const char* colour;
};
const TypeColour kTypeColours[] = {
    {"sync", "#ff7f0e"},       {"sync_ok", "#ffbb78"},        {"tree", "#e377c2"},      {"tree_ok", "#f7b6d2"},
    {"tree_keys", "#17becf"},  {"tree_keys_ok", "#9edae5"},   {"fetch", "#8c564b"},     {"fetch_ok", "#c49c94"},
    {"kv_get", "#1f77b4"},     {"kv_get_ok", "#9ecae1"},      {"kv_put", "#2ca02c"},    {"kv_put_ok", "#98df8a"},
    {"kv_resolve", "#9467bd"}, {"kv_resolve_ok", "#c5b0d5"},  {"kv_delete", "#bcbd22"}, {"kv_delete_ok", "#dbdb8d"},
    {"error", "#d62728"},      {"init", "#555555"},           {"init_ok", "#999999"},
};
const char* const kExtraColours[] = {"#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d"};
const char* const kSideColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

// The type's place in the legend: the known types in table order (node-to-node first), then the rest.
std::size_t type_rank(const std::string& type) {
  for (std::size_t i = 0; i < std::size(kTypeColours); ++i) {
    if (type == kTypeColours[i].type) return i;
  }
  return std::size(kTypeColours);
}

bool is_node(const std::string& p) { return p.size() > 1 && p[0] == 'n'; }

}  // namespace

std::string type_colour(const std::string& type) {
  for (const TypeColour& t : kTypeColours) {
    if (type == t.type) return t.colour;
  }
  std::size_t h = 0;
  for (char c : type) h = h * 31 + static_cast<unsigned char>(c);
  return kExtraColours[h % std::size(kExtraColours)];
}

namespace {

std::string fmt(double v, int decimals = 1) { return fixed(v, decimals); }

std::string marker_id(const std::string& colour) { return "h" + colour.substr(1); }


}  // namespace

RowLayout::RowLayout(std::vector<double> times_ms, double top, double px_per_ms, double min_gap, double max_gap)
    : top_(top) {
  std::sort(times_ms.begin(), times_ms.end());
  times_ms.erase(std::unique(times_ms.begin(), times_ms.end()), times_ms.end());
  double y = top;
  for (std::size_t i = 0; i < times_ms.size(); ++i) {
    if (i > 0) y += std::clamp((times_ms[i] - times_ms[i - 1]) * px_per_ms, min_gap, max_gap);
    times_.push_back(times_ms[i]);
    ys_.push_back(y);
  }
}

double RowLayout::y(double t) const {
  if (times_.empty()) return top_;
  auto it = std::lower_bound(times_.begin(), times_.end(), t);
  if (it == times_.end()) return ys_.back();
  const std::size_t i = static_cast<std::size_t>(it - times_.begin());
  if (*it == t || i == 0) return ys_[i];
  const double f = (t - times_[i - 1]) / (times_[i] - times_[i - 1]);
  return ys_[i - 1] + f * (ys_[i] - ys_[i - 1]);
}

Window choose_window(const std::vector<double>& sorted, std::size_t max_messages, double from_ms, double to_ms,
                     double start_hint_ms, double end_hint_ms) {
  Window w;
  const double last = sorted.empty() ? 0 : sorted.back();
  if (from_ms < 0 && to_ms < 0 && sorted.size() > max_messages && end_hint_ms >= 0 && max_messages > 0) {
    // Around a fault: up to just after its heal, from as early as the budget allows but not
    // before the hint; the heal stays in even when its start does not fit.
    w.whole_run = false;
    w.to_ms = std::max(end_hint_ms, start_hint_ms);
    const auto end = std::upper_bound(sorted.begin(), sorted.end(), w.to_ms);
    w.from_ms = std::max(0.0, start_hint_ms);
    auto first = std::lower_bound(sorted.begin(), end, w.from_ms);
    if (static_cast<std::size_t>(end - first) > max_messages) {
      first = end - static_cast<std::ptrdiff_t>(max_messages);
      w.from_ms = *first;
    }
    w.messages = static_cast<std::size_t>(end - first);
    return w;
  }
  if (from_ms >= 0 || to_ms >= 0) {
    w.whole_run = false;
    w.from_ms = std::max(0.0, from_ms);
    w.to_ms = to_ms >= 0 ? to_ms : last;
  } else if (sorted.size() <= max_messages) {
    w.from_ms = 0;
    w.to_ms = last;
    w.messages = sorted.size();
    return w;
  } else {
    w.whole_run = false;
    w.from_ms = std::max(0.0, start_hint_ms);
    w.to_ms = last;
  }
  auto first = std::lower_bound(sorted.begin(), sorted.end(), w.from_ms);
  auto end = std::upper_bound(first, sorted.end(), w.to_ms);
  if (static_cast<std::size_t>(end - first) > max_messages) {
    end = first + static_cast<std::ptrdiff_t>(max_messages);
    w.to_ms = *(end - 1);
  }
  w.messages = static_cast<std::size_t>(end - first);
  return w;
}

std::string render_svg(const SvgInput& in) {
  // Rows: every send, delivery and drop, and fault boundaries inside the window.
  std::vector<double> times;
  for (const SvgMessage& m : in.messages) {
    times.push_back(m.send_ms);
    times.push_back(m.at_ms);
  }
  const double last_event = times.empty() ? in.window.to_ms : *std::max_element(times.begin(), times.end());
  for (const ViewFault& f : in.run.faults) {
    for (double t : {f.start_ms, f.end_ms}) {
      if (t >= in.window.from_ms && t <= std::max(last_event, in.window.to_ms)) times.push_back(t);
    }
  }
  // Reaps inside the window, on the nodes drawn.
  std::vector<const ViewReap*> reaps;
  for (const ViewReap& r : in.run.reaps) {
    if (r.at_ms < in.window.from_ms || r.at_ms > std::max(last_event, in.window.to_ms)) continue;
    if (std::find(in.processes.begin(), in.processes.end(), r.node) == in.processes.end()) continue;
    reaps.push_back(&r);
    times.push_back(r.at_ms);
  }
  if (times.empty()) times.push_back(in.window.from_ms);
  const double columns = static_cast<double>(std::max<std::size_t>(in.processes.size(), 1));
  const double column_width = std::clamp((kMinWidth - kLeft - 20) / columns, kColumnWidth, kMaxColumnWidth);
  const double width = std::max(kMinWidth, kLeft + column_width * columns + 20);
  std::map<std::string, std::size_t> type_counts;
  std::set<std::string> colours;
  for (const SvgMessage& m : in.messages) {
    ++type_counts[m.type];
    colours.insert(type_colour(m.type));
  }
  std::vector<std::pair<std::string, std::size_t>> types(type_counts.begin(), type_counts.end());
  std::stable_sort(types.begin(), types.end(),
                   [](const auto& a, const auto& b) { return type_rank(a.first) < type_rank(b.first); });
  // The legend flows over as many rows as it needs, in the order of the colour table.
  struct LegendItem {
    std::string type, label;
    double x, y;
  };
  std::vector<LegendItem> legend;
  {
    double lx = 10, ly = 92;
    for (const auto& [type, n] : types) {
      const std::string label = type + " (" + std::to_string(n) + ")";
      const double w = 40 + 6.5 * static_cast<double>(label.size());
      if (lx + w > width - 10 && lx > 10) {
        lx = 10;
        ly += kLegendRow;
      }
      legend.push_back({type, label, lx, ly});
      lx += w;
    }
  }
  const double extra = legend.empty() ? 0 : legend.back().y - 92;
  const double header = kHeader + extra;
  const RowLayout rows(times, header + 20, 1.0, 4, 40);
  const double height = rows.bottom() + 40;
  const double t_from = *std::min_element(times.begin(), times.end());
  const double t_to = *std::max_element(times.begin(), times.end());

  std::map<std::string, double> x;
  for (std::size_t i = 0; i < in.processes.size(); ++i) {
    x[in.processes[i]] = kLeft + column_width * (static_cast<double>(i) + 0.5);
  }
  // The column a process is drawn on: its own, or the clients' one.
  auto column = [&](const std::string& p) -> std::optional<double> {
    if (auto it = x.find(p); it != x.end()) return it->second;
    if (!in.client_column.empty() && !is_node(p)) {
      if (auto it = x.find(in.client_column); it != x.end()) return it->second;
    }
    return std::nullopt;
  };
  std::ostringstream s;
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << fmt(width, 0) << "\" height=\"" << fmt(height, 0)
    << "\" viewBox=\"0 0 " << fmt(width, 0) << " " << fmt(height, 0) << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
    << "<style>.m line.v{stroke-width:1.3} .m:hover line.v{stroke-width:3.5} .m line.hit{stroke:transparent;"
       "stroke-width:7} .m:hover{cursor:crosshair} text.note{fill:#444} .axis{fill:#666;font-size:10px}"
       " .halo{paint-order:stroke;stroke:white;stroke-width:4px;stroke-linejoin:round;font-weight:bold}</style>\n"
    << "<defs>\n";
  for (const std::string& c : colours) {
    s << "<marker id=\"" << marker_id(c) << "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      << "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" << c
      << "\"/></marker>\n";
  }
  s << "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";

  // Lifelines (their names are in the header, drawn last).
  const double line_top = header;
  for (const std::string& p : in.processes) {
    s << "<line x1=\"" << fmt(x[p]) << "\" y1=\"" << line_top << "\" x2=\"" << fmt(x[p]) << "\" y2=\""
      << fmt(height - 20) << "\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>\n";
  }

  // Faults inside the window.
  double node_x_min = width, node_x_max = 0;
  std::vector<std::string> node_columns;
  for (const std::string& p : in.processes) {
    if (!is_node(p)) continue;
    node_columns.push_back(p);
    node_x_min = std::min(node_x_min, x[p]);
    node_x_max = std::max(node_x_max, x[p]);
  }
  for (const ViewFault& f : in.run.faults) {
    if (f.end_ms < t_from || f.start_ms > t_to) continue;
    const double y0 = rows.y(std::max(f.start_ms, t_from)), y1 = rows.y(std::min(f.end_ms, t_to));
    const std::string span = fmt(f.start_ms / 1000, 3) + "-" + fmt(f.end_ms / 1000, 3) + " s";
    if ((f.kind == "partition" || f.kind == "replica-loss") && node_x_max >= node_x_min) {
      s << "<g class=\"partition\"><title>" << xml_escape(f.description + ", " + span) << "</title><rect x=\""
        << fmt(node_x_min - 30) << "\" y=\"" << fmt(y0) << "\" width=\"" << fmt(node_x_max - node_x_min + 60)
        << "\" height=\"" << fmt(std::max(y1 - y0, 2.0)) << "\" fill=\"#f4cccc\" fill-opacity=\"0.45\"/></g>\n";
      for (std::size_t side = 0; side < f.components.size(); ++side) {
        for (const std::string& n : f.components[side]) {
          if (!x.count(n)) continue;
          s << "<line x1=\"" << fmt(x[n]) << "\" y1=\"" << fmt(y0) << "\" x2=\"" << fmt(x[n]) << "\" y2=\"" << fmt(y1)
            << "\" stroke=\"" << kSideColours[side % 4] << "\" stroke-width=\"3\" stroke-opacity=\"0.6\"/>\n";
        }
      }
      // Each cut link, an arc between the two lines where the partition starts: two nodes are
      // cut apart when no side holds both.
      if (f.start_ms >= t_from && (!f.components.empty() || !f.cut.empty())) {
        std::size_t cut = 0;  // each arc a little deeper than the last, so that none hides another
        for (std::size_t i = 0; i < node_columns.size(); ++i) {
          for (std::size_t j = i + 1; j < node_columns.size(); ++j) {
            const std::string &a = node_columns[i], &b = node_columns[j];
            // The pairs results.json lists; without them (an older run), those no side holds.
            const bool open =
                f.cut.empty() ? std::any_of(f.components.begin(), f.components.end(),
                                            [&](const auto& side) {
                                              return std::count(side.begin(), side.end(), a) &&
                                                     std::count(side.begin(), side.end(), b);
                                            })
                              : std::none_of(f.cut.begin(), f.cut.end(), [&](const auto& link) {
                                  return (link.first == a && link.second == b) || (link.first == b && link.second == a);
                                });
            if (open) continue;
            const double xa = x[a], xb = x[b], depth = 6 + 5 * static_cast<double>(cut++);
            s << "<g class=\"cut\"><title>" << xml_escape("link " + a + " - " + b + " cut, " + span)
              << "</title><path d=\"M" << fmt(xa) << "," << fmt(y0) << " Q" << fmt((xa + xb) / 2) << ","
              << fmt(y0 + 2 * depth) << " " << fmt(xb) << "," << fmt(y0) << "\" fill=\"none\" stroke=\"#a02020\" "
              << "stroke-width=\"1.2\" stroke-dasharray=\"3,2\"/></g>\n";
          }
        }
      }
      s << "<text class=\"halo\" x=\"" << fmt(node_x_min - 28) << "\" y=\"" << fmt(y0 - 4) << "\" fill=\"#a02020\">"
        << xml_escape(f.description) << " (dashed arcs: links cut)</text>\n";
      if (f.end_ms <= t_to) {
        s << "<text class=\"halo heal\" x=\"" << fmt(node_x_min - 28) << "\" y=\"" << fmt(y1 + 12)
          << "\" fill=\"#a02020\">partition healed at " << fmt(f.end_ms / 1000, 3) << " s</text>\n";
      }
    } else if (f.kind == "bounce") {
      for (const std::string& n : f.nodes) {
        if (!x.count(n)) continue;
        s << "<g><title>" << xml_escape(f.description + ", " + span) << "</title><text class=\"halo\" x=\""
          << fmt(x[n] + 6) << "\" y=\"" << fmt(y0 + 4) << "\" fill=\"#555\" font-weight=\"bold\">bounced</text></g>\n";
      }
    } else if (f.kind == "kill" || f.kind == "disk-loss" || f.kind == "pause") {
      const bool kill = f.kind != "pause";
      for (const std::string& n : f.nodes) {
        if (!x.count(n)) continue;
        s << "<g><title>" << xml_escape(f.description + ", " + span) << "</title>";
        s << "<rect x=\"" << fmt(x[n] - 5) << "\" y=\"" << fmt(y0) << "\" width=\"10\" height=\""
          << fmt(std::max(y1 - y0, 2.0)) << "\" fill=\"white\"/>";
        s << "<line x1=\"" << fmt(x[n]) << "\" y1=\"" << fmt(y0) << "\" x2=\"" << fmt(x[n]) << "\" y2=\"" << fmt(y1)
          << "\" stroke=\"" << (kill ? "#888888" : "#e0a000") << "\" stroke-width=\"2\" stroke-dasharray=\""
          << (kill ? "2,6" : "6,3") << "\"/></g>\n";
        s << "<text class=\"halo\" x=\"" << fmt(x[n] + 6) << "\" y=\"" << fmt(y0 + 4) << "\" fill=\""
          << (kill ? "#555" : "#a07000") << "\" font-weight=\"bold\">" << (f.kind == "disk-loss" ? "disk lost" : kill ? "killed" : "paused")
          << "</text>\n";
        if (f.end_ms <= t_to) {
          s << "<text class=\"halo heal\" x=\"" << fmt(x[n] + 6) << "\" y=\"" << fmt(y1 + 4) << "\" fill=\""
            << (kill ? "#555" : "#a07000") << "\">" << (kill ? "restarted" : "resumed") << "</text>\n";
        }
      }
    }
  }
  // Reaps: an olive diamond on the node's line; a node's reaps less than 14 px apart share one,
  // its hover listing them.
  {
    std::map<std::string, std::vector<const ViewReap*>> by_node;
    for (const ViewReap* r : reaps) by_node[r->node].push_back(r);
    for (auto& [node, list] : by_node) {
      std::stable_sort(list.begin(), list.end(), [](const ViewReap* a, const ViewReap* b) { return a->at_ms < b->at_ms; });
      for (std::size_t i = 0; i < list.size();) {
        const double y = rows.y(list[i]->at_ms);
        std::size_t j = i;
        std::string hover;
        while (j < list.size() && rows.y(list[j]->at_ms) - y < 14) {
          hover += (j > i ? "\n" : "") + node + " reaped key " + list[j]->key + " (tombstones " +
                   list[j]->tombstones + ") at " + fmt(list[j]->at_ms / 1000, 1) + " s";
          ++j;
        }
        const std::size_t n = j - i;
        const double cx = x[node];
        s << "<g class=\"reap\"><title>" << xml_escape(hover) << "</title><path d=\"M" << fmt(cx) << ","
          << fmt(y - 5) << " L" << fmt(cx + 5) << "," << fmt(y) << " L" << fmt(cx) << "," << fmt(y + 5) << " L"
          << fmt(cx - 5) << "," << fmt(y) << " z\" fill=\"#8c8c00\" stroke=\"white\"/><text class=\"halo\" x=\""
          << fmt(cx + 8) << "\" y=\"" << fmt(y + 4) << "\" fill=\"#6b6b00\">"
          << xml_escape(n == 1 ? "reaped key " + list[i]->key : "reaped " + std::to_string(n) + " keys")
          << "</text></g>\n";
        i = j;
      }
    }
  }
  if (in.run.final_heal_ms && *in.run.final_heal_ms >= t_from && *in.run.final_heal_ms <= t_to) {
    const double y = rows.y(*in.run.final_heal_ms);
    s << "<line x1=\"" << kLeft << "\" y1=\"" << fmt(y) << "\" x2=\"" << fmt(width - 10) << "\" y2=\"" << fmt(y)
      << "\" stroke=\"#3070b0\" stroke-dasharray=\"6,4\"/><text class=\"halo\" x=\"" << kLeft + 4 << "\" y=\""
      << fmt(y - 4) << "\" fill=\"#3070b0\">final heal: clients stop, recovery starts</text>\n";
  }

  // Time axis: a label whenever the last one is 60 px above.
  double last_label_y = -1e9;
  for (double t : times) {
    const double y = rows.y(t);
    if (y - last_label_y < 60) continue;
    last_label_y = y;
    s << "<text class=\"axis\" x=\"" << kLeft - 8 << "\" y=\"" << fmt(y + 3) << "\" text-anchor=\"end\">"
      << fmt(t / 1000, 3) << " s</text><line x1=\"" << kLeft - 4 << "\" y1=\"" << fmt(y) << "\" x2=\"" << kLeft
      << "\" y2=\"" << fmt(y) << "\" stroke=\"#999\"/>\n";
  }

  // The messages.
  for (const SvgMessage& m : in.messages) {
    const auto from = column(m.from), to = column(m.to);
    if (!from || !to) continue;
    const std::string c = type_colour(m.type);
    const double x1 = *from, y1 = rows.y(m.send_ms);
    double x2 = *to, y2 = rows.y(m.at_ms);
    std::string fate;
    if (m.fate == Fate::kDelivered) {
      fate = "delivered " + fmt(m.at_ms / 1000, 6) + " s (+" + fmt(m.at_ms - m.send_ms, 3) + " ms)";
    } else if (m.fate == Fate::kDropped) {
      fate = "DROPPED at " + fmt(m.at_ms / 1000, 6) + " s: " + m.drop_reason;
    } else {
      fate = "still in flight when the run ended";
      y2 = rows.bottom() + 15;
      x2 = x2 - (x2 - x1) * 0.12;  // it never reached its recipient's line
    }
    std::string body = m.body.size() > kMaxBodyChars ? m.body.substr(0, kMaxBodyChars) + " ..." : m.body;
    s << "<g class=\"m\"><title>" << xml_escape("#" + std::to_string(m.id) + " " + m.type + ": " + m.from + " → " + m.to +
                                                 "\nsent " + fmt(m.send_ms / 1000, 6) + " s, " + fate + "\n" + body)
      << "</title><line class=\"hit\" x1=\"" << fmt(x1) << "\" y1=\"" << fmt(y1) << "\" x2=\"" << fmt(x2)
      << "\" y2=\"" << fmt(y2) << "\"/><line class=\"v\" x1=\"" << fmt(x1) << "\" y1=\"" << fmt(y1) << "\" x2=\""
      << fmt(x2) << "\" y2=\"" << fmt(y2) << "\" stroke=\"" << c << "\"";
    if (m.fate == Fate::kDelivered) {
      s << " marker-end=\"url(#" << marker_id(c) << ")\"/>";
    } else {
      s << " stroke-dasharray=\"4,3\"/>";
      // A dropped message's cross sits on its recipient's line, at the drop time.
      if (m.fate == Fate::kDropped) {
        s << "<path class=\"drop\" d=\"M" << fmt(x2 - 4) << "," << fmt(y2 - 4) << " l8,8 m0,-8 l-8,8\" "
          << "stroke=\"#d00000\" stroke-width=\"2\"/>";
      }
    }
    s << "</g>\n";
  }

  // The header, drawn last so that it covers the arrows when it follows the scroll: title, the
  // window, the legend and the column names on a white band.
  s << "<g id=\"header\"><rect x=\"0\" y=\"0\" width=\"" << fmt(width, 0) << "\" height=\"" << fmt(line_top, 0)
    << "\" fill=\"white\" fill-opacity=\"0.96\"/><line x1=\"0\" y1=\"" << fmt(line_top, 0) << "\" x2=\""
    << fmt(width, 0) << "\" y2=\"" << fmt(line_top, 0) << "\" stroke=\"#dddddd\"/>\n";
  s << "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Messages of run " << xml_escape(in.run.title)
    << "</text>\n";
  std::string window_text, hint;
  if (in.window.whole_run) {
    window_text = "The whole run: all " + std::to_string(in.total_messages) + " messages.";
  } else {
    window_text = "A window of the run: " + std::to_string(in.messages.size()) + " of " +
                  std::to_string(in.total_messages) + " messages, those sent from " + fmt(in.window.from_ms / 1000, 3) +
                  " s to " + fmt(in.window.to_ms / 1000, 3) + " s (the run lasted " + fmt(in.run.end_ms / 1000, 1) +
                  " s).";
    hint = "Draw another window: vckv-harness svg " + in.store_dir + " --from S --to S";
  }
  s << "<text class=\"note\" x=\"10\" y=\"38\">" << xml_escape(window_text) << "</text>\n";
  if (!hint.empty()) s << "<text class=\"note\" x=\"10\" y=\"54\">" << xml_escape(hint) << "</text>\n";
  s << "<text class=\"note\" x=\"10\" y=\"70\">Time runs down (rows keep the order of events; gaps are "
       "compressed). Arrow: sender at send time to recipient at delivery. Hover an arrow for the message.</text>\n";
  for (const LegendItem& item : legend) {
    const std::string c = type_colour(item.type);
    s << "<g class=\"legend\"><line x1=\"" << fmt(item.x) << "\" y1=\"" << item.y << "\" x2=\"" << fmt(item.x + 22)
      << "\" y2=\"" << item.y << "\" stroke=\"" << c << "\" stroke-width=\"2\" marker-end=\"url(#" << marker_id(c)
      << ")\"/>";
    s << "<text x=\"" << fmt(item.x + 26) << "\" y=\"" << item.y + 4 << "\">" << xml_escape(item.label)
      << "</text></g>\n";
  }
  s << "<text class=\"note\" x=\"10\" y=\"" << 114 + extra << "\">Dashed arrow ending in a red cross: dropped "
       "(partition, or dead recipient), the cross on the recipient's line.</text>\n"
    << "<text class=\"note\" x=\"10\" y=\"" << 130 + extra << "\">Pink band: partition (lines of one side share a "
       "colour; dashed red arcs: the links cut). Grey broken line: killed; amber: paused."
    << (reaps.empty() ? "" : " Olive diamond: a key reaped (its tombstones removed).") << "</text>\n";
  for (const std::string& p : in.processes) {
    const std::string name = p == in.client_column ? p + " (every client)" : p;
    s << "<text class=\"column\" x=\"" << fmt(x[p]) << "\" y=\"" << line_top - 8
      << "\" text-anchor=\"middle\" font-weight=\"bold\">" << xml_escape(name) << "</text>\n";
  }
  // Opened on its own, the header follows the scroll (a script does not run in an <img>).
  s << "</g>\n<script>//<![CDATA[\n(function(){var h=document.getElementById('header');"
       "function f(){h.setAttribute('transform','translate(0,'+Math.max(0,window.scrollY||0)+')');}"
       "window.addEventListener('scroll',f);f();})();\n//]]></script>\n";
  s << "</svg>\n";
  return s.str();
}

std::string write_messages_svg(const std::string& dir, const std::string& output, std::size_t max_messages,
                               double from_s, double to_s, std::string& note) {
  RunView run;
  {
    std::ifstream r(dir + "/results.json");
    if (r) run = run_view_from_results(json::parse(r, nullptr, false));
  }
  // Pass 1: send times only, from each line's fixed prefix.
  std::vector<double> sends;
  {
    std::ifstream in(dir + "/net.jsonl");
    if (!in) return "cannot read " + dir + "/net.jsonl";
    for (std::string line; std::getline(in, line);) {
      if (auto t = journal_send_ms(line)) sends.push_back(*t);
    }
  }
  std::sort(sends.begin(), sends.end());
  // By default, around the first fault: from just before it to just after its heal.
  double hint = 0, end_hint = -1;
  if (!run.faults.empty()) {
    hint = run.faults.front().start_ms - 500;
    end_hint = run.faults.front().end_ms + 300;
  }
  SvgInput svg;
  svg.run = run;
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(dir, ec);
  svg.run.title = run_title(ec ? dir : canonical.string());
  svg.total_messages = sends.size();
  svg.window = choose_window(sends, max_messages, from_s >= 0 ? from_s * 1000 : -1, to_s >= 0 ? to_s * 1000 : -1, hint,
                              end_hint);
  svg.store_dir = dir;
  // Pass 2: the messages in the window.
  std::set<std::string> clients, nodes;
  {
    std::ifstream in(dir + "/net.jsonl");
    std::size_t taken = 0;
    for (std::string line; std::getline(in, line) && taken < svg.window.messages;) {
      auto t = journal_send_ms(line);
      if (!t || *t < svg.window.from_ms || *t > svg.window.to_ms) continue;
      auto e = parse_journal_line(line, true);
      if (!e) continue;
      ++taken;
      SvgMessage m{e->id, e->send_ms, e->at_ms, e->from, e->to, e->type, e->fate, e->drop_reason, ""};
      const json& body = e->msg.is_object() && e->msg.contains("body") ? e->msg["body"] : e->msg;
      m.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
      for (const std::string& p : {m.from, m.to}) (p.size() > 1 && p[0] == 'n' ? nodes : clients).insert(p);
      svg.messages.push_back(std::move(m));
    }
  }
  // Columns: the nodes n1..nN in number order, then one for every client (c0, the harness's
  // control client, included): node-to-node traffic is what the diagram is read for.
  auto by_number = [](const std::string& a, const std::string& b) {
    auto n = [](const std::string& s) { return s.size() > 1 ? std::atol(s.c_str() + 1) : 0; };
    return a[0] != b[0] ? a < b : n(a) != n(b) ? n(a) < n(b) : a < b;
  };
  std::vector<std::string> nd(nodes.begin(), nodes.end());
  // Nodes taken down or partitioned in the window still get a column.
  for (const ViewFault& f : run.faults) {
    for (const std::string& n : f.nodes) {
      if (!std::count(nd.begin(), nd.end(), n)) nd.push_back(n);
    }
    for (const auto& side : f.components) {
      for (const std::string& n : side) {
        if (!std::count(nd.begin(), nd.end(), n)) nd.push_back(n);
      }
    }
  }
  std::sort(nd.begin(), nd.end(), by_number);
  svg.processes = nd;
  if (!clients.empty()) {
    svg.client_column = "clients";
    svg.processes.push_back(svg.client_column);
  }
  std::sort(svg.messages.begin(), svg.messages.end(),
            [](const SvgMessage& a, const SvgMessage& b) { return a.send_ms != b.send_ms ? a.send_ms < b.send_ms : a.id < b.id; });
  std::ofstream out(dir + "/" + output);
  out << render_svg(svg);
  if (!out) return "cannot write " + dir + "/" + output;
  note = svg.window.whole_run ? "messages.svg: the whole run, " + std::to_string(svg.messages.size()) + " messages"
                              : output + ": messages sent " + fmt(svg.window.from_ms / 1000, 3) + "-" +
                                    fmt(svg.window.to_ms / 1000, 3) + " s, " + std::to_string(svg.messages.size()) +
                                    " of " + std::to_string(svg.total_messages);
  return "";
}

}  // namespace vckv::reports
