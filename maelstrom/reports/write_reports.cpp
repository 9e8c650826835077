#include "reports/write_reports.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include "reports/draw/plots.hpp"
#include "reports/draw/svg.hpp"
#include "reports/draw/timeline.hpp"
#include "reports/explain_store.hpp"
#include "reports/results.hpp"

namespace vckv::reports {

namespace {

constexpr std::size_t kExplanationsInSummary = 5;

void write_results(const RunRecord& rec) {
  std::ofstream(rec.dir + "/results.json") << results_json(rec).dump(2) << '\n';
}

void explain_siblings(RunRecord& rec) {
  std::ofstream txt(rec.dir + "/explain.txt");
  txt << "# Why keys ended with several siblings: for each, the writes that made them, what their clients\n"
         "# had read, which clock slots make them concurrent, and why neither writer saw the other.\n"
         "# Any key of this run: vckv-harness explain " << rec.dir << " KEY\n\n";
  if (rec.config.server_clocks) {
    // The explanations read clock slots (client clocks); with server clocks (§17) a sibling's
    // story is its dot and version vector, which final-state.json and history.jsonl hold.
    txt << "Server clocks (--clocks server): siblings are explained by their dots and version vectors in\n"
           "final-state.json and the contexts sent in history.jsonl; this file explains client clocks only.\n";
    return;
  }
  if (!std::filesystem::exists(rec.dir + "/final-state.json")) {
    txt << "No final state was read in this run (verdict " << model::verdict_name(rec.verdict) << "), so nothing to explain.\n";
    return;
  }
  std::string error;
  auto stories = load_stories(rec.dir, {}, error);
  if (!stories) {
    txt << "Could not read the run back: " << error << "\n";
    rec.notes.push_back("explain.txt: " + error);
    return;
  }
  if (stories->stories.empty()) txt << "No key ended with several siblings.\n";
  for (const KeyStory& s : stories->stories) {
    txt << explain_key(s, stories->context) << "\n";
    if (rec.explanations.size() < kExplanationsInSummary) {
      rec.explanations.push_back(explain_key_line(s, stories->context));
    }
  }
  // Keys with a resurrected version (docs/protocol.md §16): their whole story, and how each
  // version came back.
  if (!rec.check || rec.check->resurrections.empty()) return;
  std::set<std::string> resurrected;
  for (const model::Resurrection& r : rec.check->resurrections) resurrected.insert(std::to_string(r.key));
  auto back = load_stories(rec.dir, resurrected, error);
  if (!back) return;
  txt << "# Keys holding a version an acknowledged delete dominates (resurrected):\n\n";
  for (const KeyStory& s : back->stories) txt << explain_key(s, back->context) << "\n";
  for (const std::string& path : rec.resurrection_paths) txt << path << "\n";
}

}  // namespace

void write_reports(RunRecord& rec, std::ostream& out) {
  // The explanations and the diagrams read the run back, results.json included: write it
  // first, and again at the end with what they added.
  write_results(rec);
  explain_siblings(rec);
  std::string note;
  if (std::string err = write_messages_svg(rec.dir, "messages.svg", rec.config.svg_max_messages, rec.config.svg_from_s,
                                           rec.config.svg_to_s, note);
      err.empty()) {
    rec.notes.push_back(note);
  } else {
    rec.notes.push_back("messages.svg not written: " + err);
  }
  if (std::string err = write_timeline(rec.dir, rec.config.timeline_max_ops, note); err.empty()) {
    rec.notes.push_back(note);
  } else {
    rec.notes.push_back("timeline.html not written: " + err);
  }
  PlotInput plots;
  plots.ops = rec.ops;
  for (const model::FaultPeriod& f : rec.faults) {
    plots.faults.push_back({f.kind, static_cast<double>(f.start) / 1e6, static_cast<double>(f.end) / 1e6, f.label()});
  }
  plots.final_heal_s = rec.final_heal_s;
  plots.recovery_end_s = rec.recovery_end_s;
  plots.end_s = rec.ended_s;
  plots.rounds = rec.rounds;
  plots.node_sent_per_second = rec.messages.node_sent_per_second();
  plots.node_dropped_per_second = rec.messages.node_dropped_per_second();
  if (rec.config.server_clocks) {
    plots.clocks_label = "server clocks, " + std::to_string(rec.config.blind_writers) +
                         (rec.config.blind_writers == 1 ? " blind writer" : " blind writers");
  }
  std::vector<std::string> plot_files;
  const std::string plot_note = write_plots(rec.dir, plots, plot_files);
  if (!plot_note.empty()) rec.notes.push_back(plot_note);

  rec.files.clear();
  for (const char* f : {"results.json", "history.jsonl", "history.txt", "history.edn", "net.jsonl", "final-state.json", "explain.txt",
                        "messages.svg", "timeline.html"}) {
    if (std::filesystem::exists(rec.dir + "/" + f)) rec.files.push_back(f);
  }
  rec.files.insert(rec.files.end(), plot_files.begin(), plot_files.end());
  rec.files.push_back("summary.txt");
  rec.files.push_back("node-logs/");
  rec.peak_rss_mb = peak_rss_mb();
  write_results(rec);
  // The summary printed is saved with the run, for `serve` and for later.
  std::ostringstream summary;
  print_summary(rec, summary);
  std::ofstream(rec.dir + "/summary.txt") << summary.str();
  out << summary.str();
}

}  // namespace vckv::reports
