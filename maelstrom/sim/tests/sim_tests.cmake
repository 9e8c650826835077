find_package(GTest REQUIRED)
add_executable(vckv_sim_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/tests/rng_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tests/simulation_test.cpp
)
target_link_libraries(vckv_sim_tests PRIVATE vckv_sim GTest::gtest_main Threads::Threads)
include(GoogleTest)
gtest_discover_tests(vckv_sim_tests PROPERTIES LABELS sim)

# The binary: --help, a usage error, and (CI) a few thousand seeds at W = 3 with every fault.
add_test(NAME sim_help COMMAND vckv-sim --help)
set_tests_properties(sim_help PROPERTIES PASS_REGULAR_EXPRESSION "--seeds" LABELS sim)
add_test(NAME sim_usage_error COMMAND vckv-sim --faults crash)
set_tests_properties(sim_usage_error PROPERTIES WILL_FAIL ON LABELS sim)
add_test(NAME sim_seeds_write_quorum_3
  COMMAND vckv-sim --seeds 2000 --jobs 2 --faults all --node-arg=--write-quorum=3)
set_tests_properties(sim_seeds_write_quorum_3 PROPERTIES TIMEOUT 180 LABELS sim-seeds PROCESSORS 2)
add_test(NAME sim_trace_replay_identical
  COMMAND ${CMAKE_COMMAND} -DSIM=$<TARGET_FILE:vckv-sim> -DOUT=${CMAKE_CURRENT_BINARY_DIR}/replay
    "-DARGS=--seed;4711;--trace;--node-arg=--write-quorum=3"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/replay_identical.cmake)
set_tests_properties(sim_trace_replay_identical PROPERTIES LABELS sim)
