# Warnings as errors for every target we own. Third-party headers come in
# through -isystem (imported targets), so they do not trip these flags.
function(conflictlab_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
        -Wcast-align -Wunused -Woverloaded-virtual
        -Wimplicit-fallthrough -Werror)
endfunction()
