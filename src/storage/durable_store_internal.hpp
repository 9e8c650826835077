// What durable_store.cpp and recovery.cpp share (private to src/storage/): the store's view of
// its files, the state of a compaction under way, and file names.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "key_directory.hpp"
#include "record_stream.hpp"
#include "vckv/storage/durable_store.hpp"

namespace vckv {

// log-0000000042, snapshot-0000000042: the number in decimal, at least ten digits.
std::string file_name(FileKind kind, std::uint64_t number);
// What the key directory calls a file: its number and kind, unique in the directory.
inline std::uint32_t file_id(FileKind kind, std::uint64_t number) {
  return static_cast<std::uint32_t>(number * 2 + (kind == FileKind::kSnapshot ? 1 : 0));
}

struct DurableStore::FileInfo {
  std::string name;
  FileKind kind = FileKind::kLog;
  std::uint64_t number = 0;
  std::uint32_t id = 0;
  std::uint64_t size = 0;   // bytes on disk
  std::uint64_t valid = 0;  // bytes of whole, good records from the start (< size if damaged)
  bool damaged = false;     // moved aside, not removed, when a compaction replaces it
};

struct DurableStore::Compaction {
  // The phases, in order (durable_store.hpp): create log M and the .tmp, switch to log M,
  // copy, seal the snapshot, install it, remove the input. A step runs as many as it can.
  enum Phase { kCreate, kSwitch, kCopy, kSeal, kInstall, kRemove } phase = kCreate;
  bool whole = false;  // a small input or a small store's (compaction_switch): one step does it all
  // Bytes of input a step copies per byte its turn logged (compact_step): from the switch on,
  // four times the input over the live data, at least kCopyPerLoggedByte.
  std::uint64_t copy_per_logged = 0;
  std::uint64_t number = 0;
  std::uint32_t snapshot_id = 0;
  std::string tmp_name;
  std::unique_ptr<AppendFile> out;
  std::unique_ptr<AppendFile> new_log;  // log M until the switch
  std::vector<FileInfo> inputs;  // oldest first
  std::size_t input = 0;         // the one being read (kCopy) or removed (kRemove)
  std::uint64_t remaining = 0;   // kRemove: bytes left in that one
  // kCopy: the key directory's entries at the switch (each entry's last record, all in the
  // input then), their locations naming the input's index instead of the file id, in that
  // order; the copy reads them front to back and copies those still last when it gets there.
  std::vector<detail::KeyDirectory::Entry> live;
  std::size_t next_live = 0;
  bool by_list = false;  // false: the copy scans the input (a directory too large to list)
  // The scan: the input file being read, its records a batch at a time, their names.
  std::unique_ptr<detail::RecordStream> stream;
  LogRecord scratch;
  std::vector<Frame> frames;
  std::vector<std::uint64_t> offsets;
  std::vector<detail::Fingerprint> names;
  std::string buffer;  // records copied in this step, not yet written
  std::uint64_t records = 0;
  bool unsynced = false;  // out holds bytes not yet synced
};

}  // namespace vckv
