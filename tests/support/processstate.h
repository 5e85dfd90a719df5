#pragma once

#include <QByteArray>
#include <QList>
#include <QtGlobal>

// What the tests that stop probes and browsers ask about a process of this machine (Linux: /proc).
class ProcessState final
{
public:
    ProcessState() = delete;

    // Still there and not a zombie: a zombie has exited, only its parent has not reaped it yet.
    static bool isAlive(qint64 pid);
    // Its direct children (a probe's: Chromium's browser process, through the /usr/bin/chromium wrapper's exec).
    static QList<qint64> children(qint64 pid);
    // Its resident memory in KiB, from /proc/<pid>/status: its current size (VmRSS) or its peak (VmHWM); -1 when
    // it cannot be read.
    static qint64 residentKiB(qint64 pid, const QByteArray &field = "VmRSS");
};
