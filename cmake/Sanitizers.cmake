# CONFLICTLAB_SANITIZE selects sanitizer builds of the whole tree:
#   ""                 none (default)
#   "address,undefined" ASan + UBSan (scripts/sanitize.sh asan)
#   "thread"           TSan
set(CONFLICTLAB_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined | thread")
if(CONFLICTLAB_SANITIZE)
    message(STATUS "conflictlab: building with -fsanitize=${CONFLICTLAB_SANITIZE}")
    add_compile_options(-fsanitize=${CONFLICTLAB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${CONFLICTLAB_SANITIZE})
endif()
# GCC 12 warns (-Wtsan, an error under -Werror) that TSan does not model
# std::atomic_thread_fence, which Boost.Asio's fenced_block uses around
# handler invocation. The handlers' hand-offs also go through the scheduler's
# mutex, which TSan does model, so the code stays as it ships and only the
# warning goes; a report inside Asio would be read with that in mind.
if(CONFLICTLAB_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
endif()
