// Subcommands of the hnn CLI; each registers itself on the app and runs from its callback.
#pragma once
#include <CLI/CLI.hpp>

namespace hnn::cli {

// train, summary, eval, predict, activations (tools/train_commands.cpp)
void add_training_commands(CLI::App &app);
void add_devices(CLI::App &app);
void add_kfold(CLI::App &app);  // tools/kfold_command.cpp
void add_op(CLI::App &app);

// Exit status set by the subcommand that ran (0 unless it reported a failure itself).
int exit_status();
void set_exit_status(int status);

}  // namespace hnn::cli
