#pragma once
// Each `conflictlab` subcommand lives in its own file and registers itself on
// the root CLI11 app through one of these functions. A command's callback
// stores its exit code in `exit_code` (0 pass, 1 a gate failed, 2 bad input).

namespace CLI {
class App;
}

namespace conflictlab::cli {

// Exit codes shared by every subcommand (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitGateFailed = 1;
inline constexpr int kExitBadInput = 2;

void add_mock_command(CLI::App& root, int& exit_code);
void add_run_command(CLI::App& root, int& exit_code);
void add_sweep_command(CLI::App& root, int& exit_code);
void add_serve_command(CLI::App& root, int& exit_code);
void add_replay_command(CLI::App& root, int& exit_code);
void add_outcomes_command(CLI::App& root, int& exit_code);
void add_report_command(CLI::App& root, int& exit_code);
void add_sim_command(CLI::App& root, int& exit_code);

}  // namespace conflictlab::cli
