# CONFLICTLAB_FUZZ builds the libFuzzer targets under fuzz/ (scripts/fuzz.sh,
# docs/fuzzing-and-sanitizers.md). libFuzzer comes with clang only, so the
# option requires it. Every library is compiled with coverage instrumentation
# (-fsanitize=fuzzer-no-link) so the fuzzers see into the code they drive, and
# with ASan + UBSan unless CONFLICTLAB_SANITIZE chose otherwise; only the fuzz
# executables link libFuzzer's main.
option(CONFLICTLAB_FUZZ "Build the libFuzzer targets under fuzz/ (clang only)" OFF)
if(CONFLICTLAB_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "CONFLICTLAB_FUZZ=ON needs clang (libFuzzer), e.g. "
                            "-DCMAKE_CXX_COMPILER=clang++ (scripts/fuzz.sh does this)")
    endif()
    if(NOT CONFLICTLAB_SANITIZE)
        set(CONFLICTLAB_SANITIZE "address,undefined" CACHE STRING
            "Sanitizers to build with: address,undefined | thread" FORCE)
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link)
    # The `fuzz` CTest label lives in this build tree's root.
    enable_testing()
endif()
