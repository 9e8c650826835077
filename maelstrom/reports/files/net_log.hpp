// net.jsonl, the network journal: one line per message, node to node, client to node and node
// to client, written when its fate is known (delivered, dropped and why, or still in flight
// when the run ended). This is its format, read and written, and the counts kept of it; the
// harness's Journal (harness/cluster/journal.hpp) streams it to disk during a run.
//
//   {"send_ms":812.408,"id":1734,"from":"n1","to":"n3","type":"sync","deliver_ms":861.112,"msg":{...}}
//   {"send_ms":5004.2,"id":9001,"from":"n2","to":"n4","type":"sync","drop_ms":5051.0,"dropped":"partition","msg":{...}}
//   {"send_ms":9999.1,"id":9950,"from":"n2","to":"n1","type":"sync_ok","undelivered":true,"msg":{...}}
//
// send_ms always comes first, so a reader can skip lines outside a time window without parsing
// them. Times are ms since the start of the run; msg is the envelope exactly as sent.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/net/network.hpp"

namespace vckv::reports {

using model::Micros;

// A message in flight: node to node, client to node, or (delivered at once) node to client.
struct InFlight {
  Micros deliver_at = 0;
  std::uint64_t id = 0;  // send order over the whole run, also the journal's message id
  Micros sent_at = 0;
  std::string from;
  std::string to;
  std::string type;  // body.type
  std::string line;  // the envelope as sent
};

enum class Fate { kDelivered, kDropped, kUndelivered };

// The journal line for a message (without the trailing newline).
std::string journal_line(const InFlight& m, Fate fate, Micros at, std::optional<model::DropReason> why);

struct JournalEntry {
  std::uint64_t id = 0;
  double send_ms = 0;
  std::string from, to, type;
  Fate fate = Fate::kDelivered;
  double at_ms = 0;          // delivery or drop time; send_ms when undelivered
  std::string drop_reason;   // "partition" or "dead node" when dropped
  nlohmann::json msg;        // the envelope (null unless asked for)
};

// send_ms of a journal line, read from its fixed prefix; nullopt if the line is not one.
std::optional<double> journal_send_ms(std::string_view line);
// A whole line; nullopt if it is not a journal line.
std::optional<JournalEntry> parse_journal_line(std::string_view line, bool with_msg);

// Counts per message type.
struct TypeCounts {
  std::uint64_t sent = 0, delivered = 0, dropped_partition = 0, dropped_dead = 0, undelivered = 0;
  std::uint64_t bytes_sent = 0, bytes_dropped = 0;  // the lines with their newlines
};

class MessageStats {
 public:
  void count(const InFlight& m, Fate fate, std::optional<model::DropReason> why, bool node_to_node);
  // {"node_to_node": {"sync": {"sent": ..}, ...}, "client": {...}}
  nlohmann::json to_json() const;
  std::uint64_t node_sent() const { return node_sent_; }
  std::uint64_t node_delivered() const { return node_delivered_; }
  std::uint64_t node_dropped_partition() const { return node_dropped_partition_; }
  std::uint64_t node_dropped_dead() const { return node_dropped_dead_; }
  std::uint64_t node_undelivered() const { return node_undelivered_; }
  std::uint64_t client_dropped() const { return client_dropped_; }
  std::uint64_t node_bytes_sent() const { return node_bytes_sent_; }
  std::uint64_t node_bytes_dropped() const { return node_bytes_dropped_; }
  // Node-to-node messages per whole second of send time, by type; and drops per second.
  const std::map<std::string, std::vector<std::uint32_t>>& node_sent_per_second() const { return per_second_; }
  const std::vector<std::uint32_t>& node_dropped_per_second() const { return dropped_per_second_; }

 private:
  std::map<std::string, TypeCounts> node_, client_;
  std::uint64_t node_sent_ = 0, node_delivered_ = 0, node_dropped_partition_ = 0, node_dropped_dead_ = 0,
                node_undelivered_ = 0, client_dropped_ = 0, node_bytes_sent_ = 0,
                node_bytes_dropped_ = 0;
  std::map<std::string, std::vector<std::uint32_t>> per_second_;
  std::vector<std::uint32_t> dropped_per_second_;
};

}  // namespace vckv::reports
