# CONFLICTLAB_ALLOCATOR picks the malloc that every program of the tree links
# (conflictlab, the benchmarks and the test binaries, so tests run what ships):
#   jemalloc  (default) jemalloc from Debian's libjemalloc-dev
#   system    glibc's malloc
#
# Why not glibc: the engine, the mock core and the simulator build and free
# many small JSON nodes per request. Under glibc, malloc, free and
# malloc_consolidate took a quarter to a third of a simulation's time;
# jemalloc cut the 10,000-client simulation's event loop from 10.5 s to 6.8 s
# and raised the engine's steps/s 1.3-1.5x (docs/performance.md "Allocator").
#
# Sanitizer and fuzzer builds always use the system allocator: ASan, TSan and
# libFuzzer replace malloc themselves and must see every allocation.
set(CONFLICTLAB_ALLOCATOR "jemalloc" CACHE STRING "malloc linked into the programs: jemalloc | system")
set_property(CACHE CONFLICTLAB_ALLOCATOR PROPERTY STRINGS jemalloc system)

set(conflictlab_allocator_in_use "${CONFLICTLAB_ALLOCATOR}")
if(CONFLICTLAB_SANITIZE OR CONFLICTLAB_FUZZ)
    set(conflictlab_allocator_in_use "system")
endif()

if(conflictlab_allocator_in_use STREQUAL "jemalloc")
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(JEMALLOC IMPORTED_TARGET jemalloc)
    if(NOT JEMALLOC_FOUND)
        message(FATAL_ERROR
            "conflictlab: CONFLICTLAB_ALLOCATOR=jemalloc but jemalloc was not found. "
            "Install it (apt-get install libjemalloc-dev; scripts/setup.sh does) or configure "
            "with -DCONFLICTLAB_ALLOCATOR=system.")
    endif()
    # Every target defined after this line links jemalloc ahead of libc, so
    # its malloc/free (and operator new, which calls malloc) win.
    link_libraries(PkgConfig::JEMALLOC)
    string(REGEX REPLACE "_.*$" "" jemalloc_version "${JEMALLOC_VERSION}")  # "5.3.0_0" -> "5.3.0"
    set(CONFLICTLAB_ALLOCATOR_DESCRIPTION "jemalloc ${jemalloc_version}")
elseif(conflictlab_allocator_in_use STREQUAL "system")
    set(CONFLICTLAB_ALLOCATOR_DESCRIPTION "system")
else()
    message(FATAL_ERROR
        "conflictlab: CONFLICTLAB_ALLOCATOR must be jemalloc or system, not '${CONFLICTLAB_ALLOCATOR}'")
endif()
message(STATUS "conflictlab: allocator ${CONFLICTLAB_ALLOCATOR_DESCRIPTION}")
