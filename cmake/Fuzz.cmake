# libFuzzer build: -DVCKV_FUZZ=ON with clang. The node's library is compiled with coverage
# instrumentation and ASan+UBSan; tests/fuzz adds the fuzz target.
option(VCKV_FUZZ "Build the libFuzzer target (needs clang)" OFF)
if(VCKV_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "VCKV_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  target_compile_options(vckv_sanitizers INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(vckv_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
