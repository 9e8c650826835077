# The single-file build for course graders: cmake/single_file.py writes vclock-kv.cpp, the node
# in one C++17 file (nlohmann's parser inlined, the plain command-line reader instead of CLI11).
# `cmake --build build --target single_file` writes build/vclock-kv.cpp; tests/single_file builds
# it alone in an empty directory with plain compiler commands and runs the golden tests on it.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  get_target_property(vckv_nlohmann_include nlohmann_json::nlohmann_json
                      INTERFACE_INCLUDE_DIRECTORIES)
  list(GET vckv_nlohmann_include 0 vckv_nlohmann_include)
  set(VCKV_SINGLE_FILE_COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/cmake/single_file.py
      --nlohmann-include ${vckv_nlohmann_include})
  add_custom_target(single_file
    COMMAND ${VCKV_SINGLE_FILE_COMMAND} -o ${PROJECT_BINARY_DIR}/vclock-kv.cpp
    COMMENT "Writing ${PROJECT_BINARY_DIR}/vclock-kv.cpp (the node in one file)" VERBATIM)
else()
  message(STATUS "python3 not found: no single_file target, no single-file tests")
endif()
