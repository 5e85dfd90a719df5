#pragma once

#include <QtGlobal>

// What the tests that stop probes and browsers ask about a process of this machine (Linux: /proc).
class ProcessState final
{
public:
    ProcessState() = delete;

    // Still there and not a zombie: a zombie has exited, only its parent has not reaped it yet.
    static bool isAlive(qint64 pid);
};
