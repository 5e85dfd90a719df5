#pragma once

// What every libFuzzer target here does when a property does not hold: say which, and abort, so libFuzzer keeps
// the input as a crash (crash-<sha1> in the working directory) and a later run can replay it.

#include <QByteArray>
#include <QString>

#include <cstdio>
#include <cstdlib>

[[noreturn]] inline void fuzzFailure(const QString &what)
{
    std::fprintf(stderr, "property violated: %s\n", what.toUtf8().constData());
    std::abort();
}

inline void fuzzExpect(bool holds, const QString &what)
{
    if (!holds)
        fuzzFailure(what);
}
