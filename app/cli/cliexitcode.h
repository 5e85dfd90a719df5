#pragma once

// worldspeed-cli's exit codes (README.md): every outcome a script may act on has its own.
namespace CliExitCode {

enum Code : int {
    Success = 0, // every region loaded the page in every run, and the budget (if any) holds everywhere
    Usage = 2, // bad arguments: unknown option, bad value, unknown region or test id
    BudgetExceeded = 3, // every region ok, but a limit was exceeded or its metric not observed
    RegionFailed = 4, // a run failed to load the page in some region
    FleetProblem = 5, // the fleet config, the fleet or the history database could not be used
    OutputFailed = 6, // a HAR, PDF, CSV or JSON file could not be written
};
// A command that is not done yet: it ends later, with its `finished` signal.
constexpr int Running = -1;

} // namespace CliExitCode
