# Runs vckv-harness on a deliberately broken node and passes only if the harness says so:
# exit status 1 and results.json showing lost or diverged writes.
# Usage: cmake -DHARNESS=... -DSTORE=... -DARGS="test;--bin;..." -P expect_invalid.cmake
file(REMOVE_RECURSE ${STORE})
execute_process(COMMAND ${HARNESS} ${ARGS} --store ${STORE}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(NOT status EQUAL 1)
  message(FATAL_ERROR "expected exit status 1 (invalid), got ${status}")
endif()
file(READ ${STORE}/latest/results.json results)
string(JSON verdict GET "${results}" verdict)
string(JSON lost GET "${results}" checker lost)
string(JSON diverged GET "${results}" checker diverged)
if(NOT verdict STREQUAL "invalid" OR (lost EQUAL 0 AND diverged EQUAL 0))
  message(FATAL_ERROR "expected an invalid verdict with lost or diverged writes; got verdict ${verdict}, lost ${lost}, diverged ${diverged}")
endif()
message("broken node detected: lost ${lost}, diverged ${diverged}")
