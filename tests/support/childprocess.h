#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// A program run to its end as a child process while this thread's event loop keeps turning, so that the servers a
// test runs on it (the test web server, a fake API) go on answering the child meanwhile; a blocking wait would
// leave the child's requests unanswered.
class ChildProcess final
{
public:
    struct Outcome
    {
        int exitCode = -1; // -1: it did not start, or did not end in time and was killed; -2: it crashed
        QString out;
        QString err;
    };

    static Outcome run(const QString &program, const QStringList &arguments, int timeoutMs,
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
};
