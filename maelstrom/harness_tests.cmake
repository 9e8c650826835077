find_package(GTest REQUIRED)
add_executable(vckv_harness_tests
  harness/tests/delivery_queue_test.cpp
  harness/tests/stats_test.cpp
  harness/tests/journal_test.cpp
  harness/tests/history_test.cpp
  harness/tests/svg_test.cpp
  harness/tests/timeline_test.cpp
  harness/tests/explain_test.cpp
  harness/tests/repl_test.cpp
  harness/tests/store_test.cpp
  harness/tests/serve_test.cpp
  harness/tests/final_state_test.cpp
  harness/tests/progress_test.cpp
)
target_link_libraries(vckv_harness_tests PRIVATE vckv_harness_core GTest::gtest_main)
include(GoogleTest)
gtest_discover_tests(vckv_harness_tests PROPERTIES LABELS harness-unit)

set(harness_store ${CMAKE_CURRENT_BINARY_DIR}/ctest-store)
set(harness $<TARGET_FILE:vckv-harness>)
set(node $<TARGET_FILE:vclock-kv>)
add_test(NAME harness_help COMMAND vckv-harness --help)
set_tests_properties(harness_help PROPERTIES PASS_REGULAR_EXPRESSION "vckv-harness test --bin"
  LABELS harness-unit)
set(short_run test --bin ${node} --node-count 3 --time-limit 6 --rate 60
  --concurrency 2n --latency 20 --latency-dist uniform --nemesis partition --nemesis-interval 2
  --recovery-time 2 --seed 7 --progress-interval 2)
add_test(NAME harness_broken_node_detected
  COMMAND ${CMAKE_COMMAND}
    -DHARNESS=${harness} -DSTORE=${harness_store}/broken
    "-DARGS=${short_run};--node-arg=--debug-no-replication" -DCHECK_LOSS=ON
    -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_invalid.cmake)
add_test(NAME harness_garbage_output_detected
  COMMAND ${CMAKE_COMMAND}
    -DHARNESS=${harness} -DSTORE=${harness_store}/garbage
    "-DARGS=test;--bin;${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/garbage-node.sh;--node-count;2;--time-limit;1;--recovery-time;0"
    "-DREASON=printed a line that is not JSON"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_invalid.cmake)
# lww mode: a node whose order prefers the smaller sum keeps survivors the order should have
# beaten; the checker reports the acknowledged writes they cost as lost.
add_test(NAME harness_lww_broken_order_detected
  COMMAND ${CMAKE_COMMAND}
    -DHARNESS=${harness} -DSTORE=${harness_store}/lww-broken
    "-DARGS=${short_run};--conflict;lww;--node-arg=--debug-lww-prefer-smaller" -DCHECK_LOSS=ON
    -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_invalid.cmake)
set_tests_properties(harness_broken_node_detected harness_garbage_output_detected
  harness_lww_broken_order_detected PROPERTIES TIMEOUT 60 LABELS harness-run)

# The checks below are Python scripts (harness/tests/harness_checks.py); the browser ones use
# Debian's chromium and are skipped (exit 77) when it is not installed.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the harness's file, browser, serve and repl checks are not run")
  return()
endif()
set(checks ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/harness_checks.py)
# A valid partition run: every output file, the SVG parses as XML, the journal and history agree
# with results.json. Its store is the fixture of the browser and serve tests.
add_test(NAME harness_valid_short
  COMMAND ${checks} run --harness ${harness} --store ${harness_store}/valid --expect 0
    --summary "^verdict: valid$" --summary "^final state: 10 keys, [0-9]+ ended with several siblings"
    -- ${short_run})
set_tests_properties(harness_valid_short PROPERTIES FIXTURES_SETUP harness_valid_store)
# lww mode with partitions: valid, and the writes last-writer-wins discarded are counted.
add_test(NAME harness_lww_valid_short
  COMMAND ${checks} run --harness ${harness} --store ${harness_store}/lww --expect 0
    --summary "^verdict: valid$"
    --summary "^lww: [0-9]+ of [0-9]+ acknowledged writes \\([0-9.]+%\\) discarded by last-writer-wins"
    -- ${short_run} --conflict lww)
# Kill, pause and partition: each happens and leaves its trace (history events, messages dropped
# as sent to a dead node, the restart in the node's log). The verdict is the node's business: a
# node that does not refill a restarted replica loses writes (invalid), which is exit 1.
add_test(NAME harness_faults_kill_pause_partition
  COMMAND ${checks} run --harness ${harness} --store ${harness_store}/faults --expect 0,1
    --faults partition,kill,pause
    -- test --bin ${node} --node-count 4 --time-limit 6 --rate 80 --latency 10 --nemesis kill,pause,partition
    --nemesis-interval 1 --max-down 2 --recovery-time 2 --seed 3 --timeout-ms 500 --progress-interval 2)
add_test(NAME harness_browser_render
  COMMAND ${checks} browser --store ${harness_store}/valid)
add_test(NAME harness_serve_http
  COMMAND ${checks} serve-http --harness ${harness} --store ${harness_store}/valid)
add_test(NAME harness_serve_browser
  COMMAND ${checks} serve-browser --harness ${harness} --store ${harness_store}/valid)
set_tests_properties(harness_browser_render harness_serve_http harness_serve_browser
  PROPERTIES FIXTURES_REQUIRED harness_valid_store)
add_test(NAME harness_repl_transcript
  COMMAND ${checks} repl-transcript --harness ${harness} --bin ${node} --store ${harness_store}/repl
    --input ${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/repl-partition.in
    --expected ${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/repl-partition.out)
# docs/protocol.md §12: a write acknowledged by a node that dies before it left is lost at
# --write-quorum=1; at 2 the same write is never acknowledged (error 0), and a write through the
# majority side is.
foreach(w 1 2)
  add_test(NAME harness_repl_kill_w${w}
    COMMAND ${checks} repl-transcript --harness ${harness} --bin ${node}
      --store ${harness_store}/repl-kill-w${w} --node-arg=--write-quorum=${w} --timeout-ms 1500
      --input ${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/repl-kill-w${w}.in
      --expected ${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/repl-kill-w${w}.out)
endforeach()
add_test(NAME harness_explain_known_siblings
  COMMAND ${checks} explain --harness ${harness} --bin ${node} --store ${harness_store}/explain)
add_test(NAME harness_exit_codes
  COMMAND ${checks} exit-codes --harness ${harness} --bin ${node} --store ${harness_store}/exit-codes)
set_tests_properties(harness_valid_short harness_lww_valid_short harness_faults_kill_pause_partition harness_browser_render
  harness_serve_http harness_serve_browser harness_repl_transcript harness_repl_kill_w1 harness_repl_kill_w2 harness_explain_known_siblings
  harness_exit_codes PROPERTIES TIMEOUT 120 LABELS harness-run SKIP_RETURN_CODE 77)
