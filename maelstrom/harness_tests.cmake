find_package(GTest REQUIRED)
add_executable(vckv_harness_tests
  harness/tests/network_test.cpp
  harness/tests/checker_test.cpp
  harness/tests/workload_test.cpp
  harness/tests/stats_test.cpp
  harness/tests/envelope_test.cpp
  harness/tests/outcome_test.cpp
  harness/tests/nemesis_test.cpp
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
add_test(NAME harness_help COMMAND vckv-harness --help)
set_tests_properties(harness_help PROPERTIES PASS_REGULAR_EXPRESSION "vckv-harness test --bin"
  LABELS harness-unit)
set(short_run test --bin $<TARGET_FILE:vclock-kv> --node-count 3 --time-limit 6 --rate 60
  --concurrency 2n --latency 20 --latency-dist uniform --nemesis partition --nemesis-interval 2
  --recovery-time 2 --seed 7)
add_test(NAME harness_valid_short
  COMMAND vckv-harness ${short_run} --store ${harness_store}/valid)
add_test(NAME harness_broken_node_detected
  COMMAND ${CMAKE_COMMAND}
    -DHARNESS=$<TARGET_FILE:vckv-harness> -DSTORE=${harness_store}/broken
    "-DARGS=${short_run};--node-arg=--debug-no-replication" -DCHECK_LOSS=ON
    -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_invalid.cmake)
add_test(NAME harness_garbage_output_detected
  COMMAND ${CMAKE_COMMAND}
    -DHARNESS=$<TARGET_FILE:vckv-harness> -DSTORE=${harness_store}/garbage
    "-DARGS=test;--bin;${CMAKE_CURRENT_SOURCE_DIR}/harness/tests/garbage-node.sh;--node-count;2;--time-limit;1;--recovery-time;0"
    "-DREASON=printed a line that is not JSON"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_invalid.cmake)
set_tests_properties(harness_valid_short harness_broken_node_detected harness_garbage_output_detected
  PROPERTIES TIMEOUT 60 LABELS harness-run)
