# Runs NODE on FIXTURE (NAME.in) with the flags in NAME.args and compares stdout with NAME.out
# byte for byte. Usage: cmake -DNODE=... -DFIXTURE=.../NAME.in -DWORK_DIR=... -P golden.cmake
#
# Restart fixtures: when NAME.args contains the token @DATA_DIR@, it stands for a fresh, empty
# directory (WORK_DIR/NAME.data); the node runs on NAME.in and then, if NAME.restart.in exists,
# again with the same flags and directory on NAME.restart.in, and NAME.out is the two outputs
# one after the other.
get_filename_component(dir ${FIXTURE} DIRECTORY)
get_filename_component(name ${FIXTURE} NAME_WE)
set(args "")
if(EXISTS ${dir}/${name}.args)
  file(STRINGS ${dir}/${name}.args args_line LIMIT_COUNT 1)
  separate_arguments(args UNIX_COMMAND "${args_line}")
endif()
set(restart_input ${dir}/${name}.restart.in)
set(restart OFF)
if("${args}" MATCHES "@DATA_DIR@")
  set(data_dir ${WORK_DIR}/${name}.data)
  file(REMOVE_RECURSE ${data_dir})
  file(MAKE_DIRECTORY ${data_dir})
  set(given ${args})
  set(args "")
  foreach(arg IN LISTS given)  # after the split, so a directory with spaces stays one argument
    string(REPLACE "@DATA_DIR@" "${data_dir}" arg "${arg}")
    list(APPEND args "${arg}")
  endforeach()
  if(EXISTS ${restart_input})
    set(restart ON)
  endif()
elseif(EXISTS ${restart_input})
  message(FATAL_ERROR "${name}: ${name}.restart.in needs @DATA_DIR@ in ${name}.args")
endif()
file(MAKE_DIRECTORY ${WORK_DIR})
set(actual ${WORK_DIR}/${name}.actual)

function(run_node input output)
  execute_process(COMMAND ${NODE} ${args}
    INPUT_FILE ${input} OUTPUT_FILE ${output} ERROR_VARIABLE stderr RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    get_filename_component(run ${input} NAME)
    message(FATAL_ERROR "${name}: the node exited with ${status} on ${run}\n${stderr}")
  endif()
endfunction()

if(restart)
  run_node(${FIXTURE} ${WORK_DIR}/${name}.first.actual)
  run_node(${restart_input} ${WORK_DIR}/${name}.restart.actual)
  execute_process(COMMAND ${CMAKE_COMMAND} -E cat ${WORK_DIR}/${name}.first.actual
                          ${WORK_DIR}/${name}.restart.actual
    OUTPUT_FILE ${actual} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${name}: could not join the outputs of the two runs")
  endif()
else()
  run_node(${FIXTURE} ${actual})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${actual} ${dir}/${name}.out
  RESULT_VARIABLE differ)
if(differ)
  execute_process(COMMAND diff ${dir}/${name}.out ${actual} OUTPUT_VARIABLE diff_text)
  message(FATAL_ERROR "${name}: output differs from ${name}.out (< expected, > actual)\n${diff_text}")
endif()
