#pragma once

#include <QByteArray>
#include <QString>

// Writing a whole file so that a reader never sees half of it: through QSaveFile, which writes beside the target
// and renames over it only once everything is written. The CLIs' outputs (exports, screenshots) go this way, so
// that a failed or interrupted write leaves the old file, or none, rather than a broken one.
class AtomicFile final
{
public:
    AtomicFile() = delete;

    // False with *error ("cannot write PATH: why") when any step fails.
    static bool write(const QString &path, const QByteArray &data, QString *error);
};
