# Warnings for every vclock-kv target, as an INTERFACE target (link vckv_warnings).
option(VCKV_WERROR "Treat warnings as errors" OFF)
add_library(vckv_warnings INTERFACE)
target_compile_options(vckv_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion $<$<BOOL:${VCKV_WERROR}>:-Werror>)
