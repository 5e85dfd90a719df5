#include "cpubenchmark.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

// One round of fixed work. Its result depends on every step, and measure() keeps it, so none can be left out.
std::uint64_t oneRound()
{
    std::vector<std::uint32_t> values(1 << 15);
    std::uint32_t x = 2463534242u; // xorshift32: the same numbers on every machine
    for (std::uint32_t &value : values) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        value = x;
    }
    std::sort(values.begin(), values.end());
    std::string text;
    for (std::size_t i = 0; i < 16'000; ++i)
        text += std::to_string(values[(i * 7919) % values.size()]);
    std::uint64_t hash = 1469598103934665603ull; // FNV-1a
    for (const unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash ^ values[values.size() / 2];
}

} // namespace

CpuBenchmark::CpuBenchmark()
    : m_index(std::async(std::launch::async, &CpuBenchmark::measure).share())
{ }

double CpuBenchmark::index() const
{
    return m_index.get();
}

double CpuBenchmark::measure()
{
    using Clock = std::chrono::steady_clock;
    // The fastest round: a round another process interrupted, or one the CPU ran before raising its clock, is slow
    // for reasons that are not the CPU's speed.
    double bestSeconds = 0;
    volatile std::uint64_t sink = 0;
    for (int round = 0; round < rounds; ++round) {
        const auto start = Clock::now();
        sink = sink + oneRound();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (round == 0 || seconds < bestSeconds)
            bestSeconds = seconds;
    }
    return bestSeconds > 0 ? std::round(10.0 / bestSeconds) / 10 : 0;
}
