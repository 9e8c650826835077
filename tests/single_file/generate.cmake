# Generates the single file twice and checks both runs wrote the same bytes (the file depends on
# the sources only). Usage: cmake -DCOMMAND="python3;cmake/single_file.py;..." -DOUTPUT=...
#   -P generate.cmake
execute_process(COMMAND ${COMMAND} -o ${OUTPUT} RESULT_VARIABLE status ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "single_file.py failed (${status}): ${err}")
endif()
execute_process(COMMAND ${COMMAND} -o ${OUTPUT}.again RESULT_VARIABLE status ERROR_VARIABLE err)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT} ${OUTPUT}.again
  RESULT_VARIABLE differ)
file(REMOVE ${OUTPUT}.again)
if(differ)
  message(FATAL_ERROR "two runs of single_file.py wrote different files")
endif()
file(SIZE ${OUTPUT} bytes)
file(STRINGS ${OUTPUT} lines)
list(LENGTH lines line_count)
message(STATUS "${OUTPUT}: ${bytes} bytes, ${line_count} non-empty lines")
