// conflictlab: one program, one subcommand per job (see docs/cli.md).
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "command.hpp"

int main(int argc, char** argv) {
    using namespace conflictlab::cli;
    CLI::App app{"Conflict Lab: HTTP optimistic-concurrency conflicts, made boring.",
                 "conflictlab"};
    app.require_subcommand(1);
    // The allocator is part of the build an operator reports (cmake/Allocator.cmake).
    app.set_version_flag("--version",
                         CONFLICTLAB_VERSION " (malloc: " CONFLICTLAB_ALLOCATOR_NAME ")");
    int exit_code = kExitOk;
    add_mock_command(app, exit_code);
    add_run_command(app, exit_code);
    add_sweep_command(app, exit_code);
    add_serve_command(app, exit_code);
    add_replay_command(app, exit_code);
    add_outcomes_command(app, exit_code);
    add_report_command(app, exit_code);
    add_sim_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 has its own exit codes; ours are 0/1/2 (bad usage = 2).
        app.exit(e);
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "conflictlab: error: " << e.what() << "\n";
        return kExitBadInput;
    }
    return exit_code;
}
