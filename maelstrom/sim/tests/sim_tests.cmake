find_package(GTest REQUIRED)
add_executable(vckv_sim_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/tests/rng_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tests/simulation_test.cpp
)
target_link_libraries(vckv_sim_tests PRIVATE vckv_sim GTest::gtest_main Threads::Threads)
include(GoogleTest)
gtest_discover_tests(vckv_sim_tests PROPERTIES LABELS sim)
