// The simulated clients' clock discipline. Client ci (i = 1..N) owns clock slot i-1; the clock
// is N slots long. Pure logic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "clock_text.hpp"

namespace vckv::harness {

struct PlannedWrite {
  std::string value;  // a new unique string such as "c3-17", as JSON text
  VectorClock clock;
  bool resolve;       // kv_resolve (the read returned siblings) rather than kv_put
};

class ClientModel {
 public:
  // index is 1-based (c1 has index 1 and slot 0); clock_slots is the number of clients.
  ClientModel(std::size_t index, std::size_t clock_slots);

  const std::string& name() const { return name_; }
  std::size_t slot() const { return index_ - 1; }

  // A write without a read: only the client's own slot is set, to one past the highest value
  // it has used or seen for that slot on this key, so it is never stale.
  PlannedWrite blind_write(std::int64_t key);
  // The write that follows reading `read` (the clocks of the siblings returned): the join of
  // the read clocks, with the own slot set one past the highest seen or used. Resolves when
  // more than one sibling was read.
  PlannedWrite write_after_read(std::int64_t key, const std::vector<VectorClock>& read);

 private:
  PlannedWrite next_write(std::int64_t key, VectorClock base, bool resolve);

  std::size_t index_;
  std::size_t clock_slots_;
  std::string name_;
  std::uint64_t next_value_ = 1;
  std::map<std::int64_t, std::uint64_t> own_counter_;  // per key: highest own-slot value
};

}  // namespace vckv::harness
