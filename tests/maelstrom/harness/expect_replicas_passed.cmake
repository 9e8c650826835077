# Runs vckv-harness with --replicas against no-local-get-node.sh and passes only if the harness
# passed --replicas=N --vnodes=V to every node, recorded them in results.json, and called the
# run unknown (exit 2) because the nodes have no local_get.
# Usage: cmake -DHARNESS=... -DSTORE=... -DARGS="test;--bin;...;--replicas;2" -DEXPECT_ARGS=<regex>
#        -P expect_replicas_passed.cmake
file(REMOVE_RECURSE ${STORE})
execute_process(COMMAND ${HARNESS} ${ARGS} --store ${STORE}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(NOT status EQUAL 2)
  message(FATAL_ERROR "expected exit status 2 (unknown), got ${status}")
endif()
file(READ ${STORE}/latest/results.json results)
string(JSON verdict GET "${results}" verdict)
string(JSON replicas GET "${results}" config replicas)
string(JSON reason GET "${results}" reasons 0)
if(NOT verdict STREQUAL "unknown" OR NOT replicas EQUAL 2)
  message(FATAL_ERROR "expected verdict unknown and config.replicas 2, got ${verdict} and ${replicas}")
endif()
if(NOT reason MATCHES "answered local_get with error 10")
  message(FATAL_ERROR "expected the reason to say local_get is unsupported, got '${reason}'")
endif()
file(GLOB logs ${STORE}/latest/node-logs/*.log)
list(LENGTH logs count)
if(count EQUAL 0)
  message(FATAL_ERROR "no node logs")
endif()
foreach(log ${logs})
  file(READ ${log} text)
  if(NOT text MATCHES "${EXPECT_ARGS}")
    message(FATAL_ERROR "${log}: expected the node's arguments to match '${EXPECT_ARGS}', got '${text}'")
  endif()
endforeach()
message("passed: ${reason}")
