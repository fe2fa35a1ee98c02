// hnn: the command-line interface. Each subcommand parses its flags (CLI11), then calls the
// runtime; every hnn::Error becomes one line on stderr and exit status 1.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "bench.h"
#include "commands.h"
#include "error.h"

int main(int argc, char **argv) {
    CLI::App app{"hnn: Halide kernels for d2l's convolutional networks, on x86 and CUDA"};
    app.require_subcommand(1);
    app.footer("`./hnn test` (the wrapper script) builds and runs the test suite.\n"
               "Run `hnn SUBCOMMAND --help` for a subcommand's options.");
    hnn::cli::add_training_commands(app);
    hnn::cli::add_devices(app);
    hnn::cli::add_kfold(app);
    hnn::cli::add_op(app);
    hnn::bench::add_bench_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    } catch (const hnn::Error &e) {
        std::fprintf(stderr, "hnn: error: %s\n", e.what());
        return 1;
    }
    return hnn::cli::exit_status();
}
