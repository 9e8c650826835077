# Runs NODE on FIXTURE (NAME.in) with the flags in NAME.args and compares stdout with NAME.out
# byte for byte. Usage: cmake -DNODE=... -DFIXTURE=.../NAME.in -DWORK_DIR=... -P golden.cmake
get_filename_component(dir ${FIXTURE} DIRECTORY)
get_filename_component(name ${FIXTURE} NAME_WE)
set(args "")
if(EXISTS ${dir}/${name}.args)
  file(STRINGS ${dir}/${name}.args args_line LIMIT_COUNT 1)
  separate_arguments(args UNIX_COMMAND "${args_line}")
endif()
file(MAKE_DIRECTORY ${WORK_DIR})
set(actual ${WORK_DIR}/${name}.actual)
execute_process(COMMAND ${NODE} ${args}
  INPUT_FILE ${FIXTURE} OUTPUT_FILE ${actual} ERROR_VARIABLE stderr RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${name}: the node exited with ${status}\n${stderr}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${actual} ${dir}/${name}.out
  RESULT_VARIABLE differ)
if(differ)
  execute_process(COMMAND diff ${dir}/${name}.out ${actual} OUTPUT_VARIABLE diff_text)
  message(FATAL_ERROR "${name}: output differs from ${name}.out (< expected, > actual)\n${diff_text}")
endif()
