# Runs `vckv-sim --seed S --trace ARGS` twice, in two processes, and fails unless the two outputs
# are the same bytes (and not empty). -DSIM=<binary> -DOUT=<dir> "-DARGS=a;b;c".
file(MAKE_DIRECTORY ${OUT})
foreach(run first second)
  execute_process(COMMAND ${SIM} ${ARGS} OUTPUT_FILE ${OUT}/${run}.txt RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "vckv-sim ${ARGS} exited ${status}")
  endif()
endforeach()
file(SIZE ${OUT}/first.txt size)
if(size LESS 100000)
  message(FATAL_ERROR "the trace is only ${size} bytes")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/first.txt ${OUT}/second.txt
                RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "two replays of the same seed differ: ${OUT}/first.txt ${OUT}/second.txt")
endif()
message(STATUS "two replays, ${size} bytes each, identical")
