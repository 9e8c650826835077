#include "sim/clients.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "model/clock_text.hpp"

namespace vckv::sim {

using json = nlohmann::json;

Clients::Clients(World& world, Network& network, Losses& losses) : w_(world), net_(network), losses_(losses) {
  const SimConfig& cfg = world.cfg;
  for (std::size_t i = 1; i <= cfg.clients; ++i) {
    clients_.push_back(std::make_unique<Client>(i, cfg.clients));
    if (cfg.server_clocks) clients_.back()->model.set_server_clocks(i <= cfg.blind_writers);
  }
  workload_.keys = cfg.keys;
  workload_.blind_write_ppm = cfg.blind_write_ppm;
  workload_.other_node_ppm = cfg.other_node_ppm;
  workload_.delete_ppm = cfg.delete_ppm;
  mean_gap_ = static_cast<Micros>(std::llround(static_cast<double>(cfg.clients) * 1e6 / cfg.rate));
}

void Clients::start_all() {
  for (std::size_t c = 0; c < clients_.size(); ++c) {
    Event e;
    e.at = 0;
    e.kind = EventKind::kClientStart;
    e.to = static_cast<int>(c);
    w_.events.push(std::move(e));
  }
}

bool Clients::idle() const {
  return std::none_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->busy; });
}

void Clients::start_op(std::size_t ci) {
  Client& c = *clients_[ci];
  if (!w_.workload) return;
  const std::size_t n = w_.nodes.size();
  const model::PlannedOp planned = c.model.next_op(w_.client_rng, n, workload_);
  c.kind = planned.kind;
  c.key = planned.key;
  c.node = static_cast<int>(planned.node);
  c.busy = true;
  c.op = ++op_counter_;
  c.msg_id = c.next_msg_id++;
  c.invoked = w_.now;
  c.write.reset();
  const std::string& node_id = w_.nodes[planned.node]->id;
  const std::string body = model::request_body(c.kind, c.key, planned.write ? &*planned.write : nullptr, c.msg_id);
  if (planned.write) {
    c.write = w_.writes.size();
    w_.writes.push_back(model::WriteRecord{c.model.name(), c.key, planned.write->value, planned.write->clock,
                                           model::WriteOutcome::kIndeterminate, planned.write->tombstone});
    if (planned.write->dotted) {
      model::WriteRecord& w = w_.writes.back();
      w.dotted = true;
      w.context = planned.write->context;
      w.blind_writer = c.model.blind_writer();
    }
    losses_.on_write(c.node);
    ++w_.stats.writes;
    if (planned.write->tombstone) {
      ++w_.stats.deletes;
      std::vector<std::uint64_t> clock(planned.write->clock.slots().begin(), planned.write->clock.slots().end());
      while (!clock.empty() && clock.back() == 0) clock.pop_back();
      w_.delete_invoked.emplace(std::make_pair(c.key, std::move(clock)), w_.now);
    }
  }
  const char* f = model::op_name(c.kind);
  if (w_.trace) {
    w_.note("invoke " + c.model.name() + " op " + std::to_string(c.op) + " " + f + " key " + std::to_string(c.key) +
            " at " + node_id);
  }
  const int self = static_cast<int>(n + ci);
  net_.send_client_message(self, c.node, model::request_type(c.kind),
                           "{\"src\": \"" + c.model.name() + "\", \"dest\": \"" + node_id + "\", \"body\": " + body + "}");
  Event timeout;
  timeout.at = w_.now + w_.cfg.client_timeout;
  timeout.kind = EventKind::kClientTimeout;
  timeout.to = static_cast<int>(ci);
  timeout.aux = c.op;
  w_.events.push(std::move(timeout));
}

void Clients::on_reply(std::size_t ci, const Event& e) {
  Client& c = *clients_[ci];
  const std::string& line = e.line;
  const json envelope = json::parse(line, nullptr, false);
  if (envelope.is_discarded() || !envelope.is_object() || !envelope.contains("body") || !envelope["body"].is_object()) {
    w_.fail("a client got a malformed reply: " + line.substr(0, 200));
    return;
  }
  const json& body = envelope["body"];
  const auto irt = body.find("in_reply_to");
  if (!c.busy || irt == body.end() || !irt->is_number_unsigned() || irt->get<std::uint64_t>() != c.msg_id) {
    if (w_.trace) w_.note(c.model.name() + " ignores #" + std::to_string(e.aux) + ": a reply it no longer waits for");
    return;
  }
  const model::Classified cls = model::classify(c.kind, model::reply_facts(&body));
  const std::string& node_id = w_.nodes[static_cast<std::size_t>(c.node)]->id;
  if (!cls.violation.empty()) {
    w_.fail("node " + node_id + " answered " + model::op_name(c.kind) + " of " + c.model.name() + ": " + cls.violation +
            ": " + line.substr(0, 200));
  }
  std::string detail;
  if (model::is_dotted(c.kind) && cls.op_class == model::OpClass::kOk) {
    if (!dvv_reply(ci, body, detail)) w_.fail("node " + node_id + " sent a malformed " + model::request_type(c.kind) +
                                              "_ok: " + line.substr(0, 200));
  } else if (!c.write && cls.op_class == model::OpClass::kOk) {
    auto values = model::parse_values(body);
    if (!values) {
      w_.fail("node " + node_id + " sent a malformed kv_get_ok: " + line.substr(0, 200));
    } else {
      std::vector<VectorClock> clocks;
      for (const model::StoredVersion& v : *values) {
        clocks.push_back(v.clock);
        if (w_.trace) detail += " " + model::version_text(v);
      }
      c.model.read_returned(c.key, static_cast<std::size_t>(c.node), std::move(clocks), c.op);
    }
  }
  complete_op(ci, cls, detail);
}

bool Clients::dvv_reply(std::size_t ci, const json& body, std::string& detail) {
  Client& c = *clients_[ci];
  if (c.write) {
    auto reply = model::parse_dvv_write_reply(body);
    if (!reply) return false;
    model::WriteRecord& w = w_.writes[*c.write];
    w.dot = std::move(reply->dot);
    w.version_vector = std::move(reply->version_vector);
    if (w_.trace) detail += " dot " + model::dot_text(w.dot) + " vv " + model::context_text(w.version_vector);
    return true;
  }
  auto read = model::parse_dvv_get(body);
  if (!read) return false;
  if (w_.trace) {
    for (const model::StoredVersion& v : read->versions) detail += " " + model::version_text(v);
    detail += " context " + model::context_text(read->context);
  }
  const std::string& node_id = w_.nodes[static_cast<std::size_t>(c.node)]->id;
  w_.reads.push_back(model::ReadRecord{c.model.name(), c.key, node_id, std::move(read->versions), read->context});
  w_.stats.max_read_siblings = std::max<std::uint64_t>(w_.stats.max_read_siblings, w_.reads.back().versions.size());
  c.model.dvv_read_returned(c.key, static_cast<std::size_t>(c.node), std::move(read->context), c.op);
  return true;
}

void Clients::on_timeout(std::size_t ci, std::uint64_t op) {
  const Client& c = *clients_[ci];
  if (c.busy && c.op == op) {
    model::Classified cls;
    cls.status = "timeout";
    complete_op(ci, cls, "");
  }
}

void Clients::complete_op(std::size_t ci, const model::Classified& cls, const std::string& detail) {
  Client& c = *clients_[ci];
  c.busy = false;
  ++w_.stats.client_ops;
  if (c.write) {
    model::WriteRecord& w = w_.writes[*c.write];
    w.outcome = cls.write;
    if (cls.write == model::WriteOutcome::kAcknowledged) {
      ++w_.stats.acknowledged;
      losses_.on_acknowledged(*c.write);
    } else if (cls.write == model::WriteOutcome::kIndeterminate) {
      ++w_.stats.indeterminate;
    }
  }
  if (w_.trace) {
    const model::WriteRecord* wr = c.write ? &w_.writes[*c.write] : nullptr;
    const std::string what =
        !wr          ? ""
        : wr->dotted ? " " + (wr->tombstone ? std::string("~") : wr->value) + " context " + model::context_text(wr->context)
                     : " " + model::version_text(model::StoredVersion{wr->value, wr->clock, wr->tombstone});
    w_.note("complete " + c.model.name() + " op " + std::to_string(c.op) + " " + model::op_name(c.kind) + " key " +
            std::to_string(c.key) + what + " at " + w_.nodes[static_cast<std::size_t>(c.node)]->id + ": " + cls.status +
            // Jepsen's type when the status does not say it already ("written (ok)", not "ok (ok)").
            (cls.status == model::jepsen_type(cls.op_class) ? "" : " (" + std::string(model::jepsen_type(cls.op_class)) + ")") +
            detail);
  }
  const Micros next = model::ClientModel::next_start(w_.client_rng, c.invoked, w_.now, mean_gap_);
  if (w_.workload && next < w_.cfg.time_limit) {
    Event e;
    e.at = next;
    e.kind = EventKind::kClientStart;
    e.to = static_cast<int>(ci);
    w_.events.push(std::move(e));
  }
}

}  // namespace vckv::sim
