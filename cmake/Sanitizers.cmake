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
