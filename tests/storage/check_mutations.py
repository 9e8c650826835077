#!/usr/bin/env python3
"""Breaks the durable store on purpose, one line at a time, and checks that the storage tests
notice: each mutation below is a mistake a change could make (a sync left out, a record copied
that should not be, damage taken for a torn write...). For each: patch the source, rebuild
vckv_unit_tests, run the storage tests, restore the source.

    python3 tests/storage/check_mutations.py [--build-dir build] [NAME-SUBSTRING ...]

Prints "caught: <mutation>: <tests that failed>" or "MISSED: <mutation>"; exits 1 if any was
missed. Not run by ctest (it rebuilds); run it after changing src/storage/ or its tests. The
source is restored even if the run is interrupted by an exception; check `git status` after a
kill -9.
"""
import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
MUTATIONS = [
 ("batch commit does not sync", "src/storage/durable_store.cpp", "case FsyncPolicy::kBatch: sync = unsynced_bytes_ > 0; break;", "case FsyncPolicy::kBatch: sync = false; break;"),
 ("the switch skips the directory sync", "src/storage/durable_store.cpp", "  IoStatus dir_synced = fs_.sync_dir(dir_);\n  if (!dir_synced.ok()) {\n    fail(dir_synced.error());\n    return dir_synced;\n  }\n  c.inputs = files_;", "  c.inputs = files_;"),
 ("recovery skips its final directory sync", "src/storage/recovery.cpp", "  IoStatus synced = store.fs_.sync_dir(store.dir_);\n  if (!synced.ok()) return synced.error();\n  return {};", "  return {};"),
 ("recovery does not sync the last log", "src/storage/recovery.cpp", "    IoResult<SyncInfo> synced = store.log_->sync();\n    if (!synced.ok()) return synced.error();\n    last.size", "    last.size"),
 ("compaction copies every record", "src/storage/durable_store.cpp", "      if (keys_->relocate(c.names[i], record_location(in.id, c.offsets[i]), to)) {", "      keys_->relocate(c.names[i], record_location(in.id, c.offsets[i]), to);\n      if (true) {"),
 ("compaction copies nothing still live after a change", "src/storage/durable_store.cpp", "      consumed += frame.size;\n      progress.bytes_read += frame.size;\n      const RecordType type = static_cast<RecordType>(frame.type);\n      if (entry_space(type) == EntrySpace::kNone || removes_entry(type)) continue;", "      consumed += frame.size;\n      progress.bytes_read += frame.size;\n      const RecordType type = static_cast<RecordType>(frame.type);\n      if (entry_space(type) == EntrySpace::kNone || removes_entry(type) || type == RecordType::kDotCounter) continue;"),
 ("no rotation: new records go to the old log", "src/storage/durable_store.cpp", "  log_ = std::move(c.new_log);\n  log_id_ = file_id(FileKind::kLog, c.number);\n", ""),
 ("snapshot not synced before the rename", "src/storage/durable_store.cpp", "  IoResult<SyncInfo> synced = c.out->sync();\n  if (!synced.ok()) return synced.status();\n  progress.sync_latency_us += synced.value().latency_us;\n  if (unsynced_bytes_ > 0) {", "  if (unsynced_bytes_ > 0) {"),
 ("compaction steps not synced", "src/storage/durable_store.cpp", "    IoResult<SyncInfo> synced = c.out->sync();\n    if (!synced.ok()) return synced.status();\n    progress.sync_latency_us += synced.value().latency_us;\n    c.unsynced = false;\n  }\n  return {};", "    c.unsynced = false;\n  }\n  return {};"),
 ("old files removed before the rename", "src/storage/durable_store.cpp", "  IoStatus renamed = fs_.rename(path(c.tmp_name), path(name));", "  for (const FileInfo& in : c.inputs) (void)fs_.remove(path(in.name));\n  IoStatus renamed = fs_.rename(path(c.tmp_name), path(name));"),
 ("torn tail not truncated", "src/storage/recovery.cpp", "        IoStatus truncated = store.fs_.truncate(path(f.name), f.valid);", "        IoStatus truncated;"),
 ("every damage is a torn tail", "src/storage/recovery.cpp", "  if (last_log && !find_record(rest)) {", "  if (true) {"),
 ("every damage is corruption", "src/storage/recovery.cpp", "  if (last_log && !find_record(rest)) {", "  if (false) {"),
 ("counters after damage not salvaged", "src/storage/recovery.cpp", "  salvage_counters(rest);\n}", "}"),
 ("pass 2 delivers superseded records", "src/storage/recovery.cpp", "      if (!entry || entry->location != record_location(f.id, offsets[i])) continue;", "      if (!entry) continue;"),
 ("removal records ignored at recovery", "src/storage/recovery.cpp", "      if (c.removes) {\n        store.keys_->erase(c.fp);", "      if (c.removes) {"),
 ("snapshot end not checked", "src/storage/recovery.cpp", "  } else if (f.kind == FileKind::kSnapshot && !ended) {", "  } else if (false) {"),
 ("interval syncs every commit", "src/storage/durable_store.cpp", "      sync = unsynced_bytes_ > 0 && now_ms - unsynced_since_ms_ >= options_.fsync_interval_ms;", "      sync = unsynced_bytes_ > 0;"),
 ("tmp snapshots not removed at open", "src/storage/recovery.cpp", "      IoStatus removed = store.fs_.remove(path(name));\n      if (!removed.ok()) return removed.error();", "      IoStatus removed;"),
 ("rotation does not sync the old log", "src/storage/durable_store.cpp", "  if (unsynced_bytes_ > 0) {  // under never (under batch, commit synced it)", "  if (false) {"),
 ("finish does not sync the log first", "src/storage/durable_store.cpp", "  if (unsynced_bytes_ > 0) {  // under never\n    CommitResult log_synced;", "  if (false) {\n    CommitResult log_synced;"),
 ("compaction steps not synced (header)", "src/storage/durable_store.cpp", "  if (c.unsynced) {  // so the last step", "  if (false) {  // so the last step"),
 ("recovery syncs only the last log", "src/storage/recovery.cpp", "      if (i + 1 == store.files_.size()) continue;  // the last: opened and synced below", "      continue;"),
 ("a torn log before an empty one is damage", "src/storage/recovery.cpp", "    if (tail == files.size() || files[i].size > header) tail = i;", "    tail = i;"),
 ("the input is removed in one piece", "src/storage/durable_store.cpp", "    } else if (c.remaining > chunk) {", "    } else if (false) {"),
 ("the key directory never learns of recorded changes", "src/storage/durable_store.cpp", "    apply_recorded();\n", "    recorded_.clear();\n"),
 ("a compaction batch overruns its budget", "src/storage/durable_store.cpp", "c.stream->next_batch(c.frames, c.offsets, 32, budget - consumed);", "c.stream->next_batch(c.frames, c.offsets, 32);"),
 ("memory disk keeps unsynced names", "src/storage/memory_file_system.cpp", "  const std::uint64_t kept = uniform(unsynced_names_.size() + 1);", "  const std::uint64_t kept = unsynced_names_.size();"),
 ("memory disk keeps unsynced bytes", "src/storage/memory_file_system.cpp", "      case 0: keep = 0; break;", "      case 0: keep = unsynced; break;"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("only", nargs="*", help="run the mutations whose name contains one of these")
    args = parser.parse_args()
    build = ROOT / args.build_dir
    missed = 0
    for name, relative, old, new in MUTATIONS:
        if args.only and not any(o in name for o in args.only):
            continue
        path = ROOT / relative
        text = path.read_text()
        if old not in text:
            print(f"STALE: {name}: the line it breaks is no longer in {relative}")
            missed += 1
            continue
        path.write_text(text.replace(old, new, 1))
        try:
            built = subprocess.run(["cmake", "--build", str(build), "-j2", "--target", "vckv_unit_tests"],
                                   capture_output=True, text=True)
            if built.returncode != 0:
                print(f"BUILD FAILED: {name}\n{built.stdout[-2000:]}")
                missed += 1
                continue
            run = subprocess.run([str(build / "tests" / "vckv_unit_tests"),
                                  "--gtest_filter=DurableStore*:MemoryFileSystem*"],
                                 capture_output=True, text=True)
            failed = sorted({line.split()[-1] for line in run.stdout.splitlines()
                             if line.startswith("[  FAILED  ] ") and "(" not in line
                             and "listed" not in line})
            if run.returncode != 0 and not failed:
                failed = [f"(crashed: exit {run.returncode})"]
            if run.returncode == 0:
                missed += 1
            print(f"{'caught' if run.returncode != 0 else 'MISSED'}: {name}: {' '.join(failed)}",
                  flush=True)
        finally:
            path.write_text(text)
    subprocess.run(["cmake", "--build", str(build), "-j2", "--target", "vckv_unit_tests"],
                   capture_output=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
