#pragma once

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QString>
#include <QVariant>

Q_DECLARE_LOGGING_CATEGORY(lcHistory)

// The history file's schema: its tables, the migrations that bring an older file up to `version` (which the file
// carries in PRAGMA user_version), and how a connection to it is set up. HistoryStore opens the file and calls
// prepare(), then migrate(); both leave a message in *error when they refuse or fail.
class HistorySchema final
{
public:
    static constexpr int version = 6;

    // Creates the file (and its folder) readable by the user alone, or takes others' access away from one that
    // exists: URLs tested, internal host names, screenshots of pages are the user's.
    static bool makePrivate(const QString &path, QString *error);
    // Turns foreign keys on (and checks that this SQLite enforces them), refuses a file a newer version wrote
    // (leaving it exactly as it is), and sets WAL (warning where the file system cannot do it) and `synchronous`:
    // FULL when `powerLossSafe`, else NORMAL.
    static bool prepare(QSqlDatabase &db, const QString &path, bool powerLossSafe, QString *error);
    // Applies the migrations the file is missing, in order, each in its own transaction.
    static bool migrate(QSqlDatabase &db, const QString &path, QString *error);

private:
    static bool pragma(QSqlDatabase &db, const QString &sql, QString *error, QVariant *result = nullptr);
    static bool apply(QSqlDatabase &db, int version, const QStringList &statements, QString *error);
};
