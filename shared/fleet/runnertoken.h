#pragma once

#include <QString>

// The token of one runner: every probe a backend starts gets one of its own, so that a token read anywhere (a
// machine's config, a pod's Secret, a process's environment) opens that one short-lived probe and nothing else.
class RunnerToken final
{
public:
    RunnerToken() = delete;

    // 256 bits from the system's cryptographic random source, as 43 characters of base64url.
    static QString mint();
};
