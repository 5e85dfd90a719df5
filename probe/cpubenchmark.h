#pragma once

#include <future>

// How fast this probe's CPU is, as one number: a fixed workload (sorting, formatting numbers into a growing string,
// hashing it: the kind of integer, branch and allocation work a page's scripts do) run a few times, reported as the
// fastest round's rounds per second. Higher is faster. What the index means and why it is measured this way:
// CPUBENCHMARK.md next to this file.
class CpuBenchmark final
{
public:
    static constexpr int rounds = 12;

    // Starts the workload on a thread of its own, so that it overlaps the browser's start rather than delaying
    // anything. It takes a few tens of milliseconds.
    CpuBenchmark();

    // The index, waiting for the workload if it is still running (only in the probe's first moments).
    double index() const;

    // Runs the workload now, on this thread.
    static double measure();

private:
    std::shared_future<double> m_index;
};
