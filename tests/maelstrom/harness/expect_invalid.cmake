# Runs vckv-harness against nodes that are broken on purpose and passes only if the harness
# notices: exit status 1, verdict "invalid" in results.json, and
#   - with CHECK_LOSS=ON: lost > 0 or diverged > 0 in results.json;
#   - with REASON=<regex>: a reason in results.json matching it.
# Usage: cmake -DHARNESS=... -DSTORE=... -DARGS="test;--bin;..." [-DCHECK_LOSS=ON] [-DREASON=...]
#        -P expect_invalid.cmake
file(REMOVE_RECURSE ${STORE})
execute_process(COMMAND ${HARNESS} ${ARGS} --store ${STORE}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(NOT status EQUAL 1)
  message(FATAL_ERROR "expected exit status 1 (invalid), got ${status}")
endif()
file(READ ${STORE}/latest/results.json results)
string(JSON verdict GET "${results}" verdict)
if(NOT verdict STREQUAL "invalid")
  message(FATAL_ERROR "expected verdict invalid in results.json, got ${verdict}")
endif()
if(CHECK_LOSS)
  string(JSON lost GET "${results}" checker lost)
  string(JSON diverged GET "${results}" checker diverged)
  if(lost EQUAL 0 AND diverged EQUAL 0)
    message(FATAL_ERROR "expected lost or diverged writes; got lost ${lost}, diverged ${diverged}")
  endif()
  message("broken node detected: lost ${lost}, diverged ${diverged}")
endif()
if(DEFINED REASON)
  string(JSON reason GET "${results}" reasons 0)
  if(NOT reason MATCHES "${REASON}")
    message(FATAL_ERROR "expected a reason matching '${REASON}', got '${reason}'")
  endif()
  message("reason: ${reason}")
endif()
