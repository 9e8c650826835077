# ASan + UBSan for the node, its library and the tests (link vckv_sanitizers).
option(VCKV_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(vckv_sanitizers INTERFACE)
if(VCKV_SANITIZE)
  target_compile_options(vckv_sanitizers INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(vckv_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
