# The single-file binary (plain command-line reader) and the CMake one (CLI11) answer the same
# command lines alike: same stdout, stderr and exit status (stdin empty).
# Usage: cmake -DSINGLE=... -DREFERENCE=... -P same_cli.cmake
set(cases
  "--help" "--version" "-h --max-siblings zero" "--max-siblings zero" "--max-siblings 0x10"
  "--bogus x" "--log-level" "--log-level loud" "--max-siblings 3 --max-siblings 4"
  "--debug-no-replication=false" "-- --help" "--max-siblings 3 --log-level=warn")
set(failed "")
foreach(case IN LISTS cases)
  separate_arguments(args UNIX_COMMAND "${case}")
  foreach(which SINGLE REFERENCE)
    execute_process(COMMAND ${${which}} ${args} INPUT_FILE /dev/null
      OUTPUT_VARIABLE out_${which} ERROR_VARIABLE err_${which} RESULT_VARIABLE status_${which})
  endforeach()
  if(NOT out_SINGLE STREQUAL out_REFERENCE OR NOT err_SINGLE STREQUAL err_REFERENCE
     OR NOT status_SINGLE STREQUAL status_REFERENCE)
    string(APPEND failed "\n`${case}`: single file exit ${status_SINGLE}, stderr '${err_SINGLE}'"
           "; CMake build exit ${status_REFERENCE}, stderr '${err_REFERENCE}'")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "the two builds read these command lines differently:${failed}")
endif()
