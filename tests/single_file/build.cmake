# Builds the single file as a course grader would: copied alone into an empty directory and
# compiled by one compiler command, with warnings on. Any warning (any output at all) fails, as
# does any header the file pulls in from an installed library (nlohmann, CLI11).
# Usage: cmake -DSOURCE=.../vclock-kv.cpp -DDIR=<dir to empty> -DCOMPILER=g++ -DFLAGS="-O2"
#   -P build.cmake
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
file(COPY ${SOURCE} DESTINATION ${DIR})
get_filename_component(name ${SOURCE} NAME)
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
set(command ${COMPILER} ${flags} -Wall -Wextra -Wpedantic ${name} -o vclock-kv)
string(TIMESTAMP start "%s")
execute_process(COMMAND ${command} WORKING_DIRECTORY ${DIR}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
string(REPLACE ";" " " shown "${command}")
if(NOT status EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
  message(FATAL_ERROR "in an empty directory, `${shown}` exited ${status}:\n${out}${err}")
endif()
file(GLOB left RELATIVE ${DIR} ${DIR}/*)
list(SORT left)
if(NOT left STREQUAL "vclock-kv;${name}")
  message(FATAL_ERROR "the build directory holds ${left}, not just the file and the binary")
endif()
execute_process(COMMAND ${COMPILER} ${flags} -M ${name} WORKING_DIRECTORY ${DIR}
  OUTPUT_VARIABLE headers RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR headers MATCHES "/(nlohmann|CLI)/")
  message(FATAL_ERROR "the single file includes a library's header:\n${headers}")
endif()
message(STATUS "`${shown}`: ${seconds} s, no warnings")
