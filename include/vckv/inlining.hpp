// Inlining and code placement for the one-file build. cmake/single_file.py defines
// VCKV_SINGLE_FILE at the top of vclock-kv.cpp (as SQLite's amalgamation defines
// SQLITE_AMALGAMATION). In that one large translation unit g++ -O2 stops inlining once the
// whole unit has grown by --param inline-unit-growth (40%), so the decoder's scanner steps and
// the builder's small helpers stay calls; it optimizes parts of the decoder for size (the
// member-name compares become memcmp calls); and it places the functions a request runs
// through among cold ones. These macros give g++ there the inlining it chooses on its own in
// the separate files, and keep the request path together (.text.hot). They are empty in the
// CMake build (its binary is the same with or without them) and for clang, which compiles the
// one file about as fast as the CMake build without them. Measurements: bench/SINGLE-FILE.md.
#pragma once

#if defined(VCKV_SINGLE_FILE) && defined(__GNUC__) && !defined(__clang__)
// On the path of every client request: optimized for speed and placed with the other hot
// functions (.text.hot), so the path fits the instruction cache.
#define VCKV_HOT [[gnu::hot]]
// Every call in the function is inlined (but calls to VCKV_NOINLINE functions).
#define VCKV_FLATTEN [[gnu::flatten]]
#define VCKV_ALWAYS_INLINE [[gnu::always_inline]] inline
#define VCKV_NOINLINE [[gnu::noinline]]
#else
#define VCKV_HOT
#define VCKV_FLATTEN
#define VCKV_ALWAYS_INLINE
#define VCKV_NOINLINE
#endif
