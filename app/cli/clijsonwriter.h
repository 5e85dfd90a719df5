#pragma once

#include "budget.h"
#include "historystore.h"
#include "testrecord.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

struct FleetConfig;

// worldspeed-cli's JSON documents: a test (`run --format json`, `export --format json`), specified in JSON.md, and
// the history's list (`history --format json`, README.md).
class CliJsonWriter final
{
public:
    static inline const QString testSchema = QStringLiteral("worldspeed-cli/1");
    static inline const QString historySchema = QStringLiteral("worldspeed-cli-history/1");

    // `saved`: the test is in the history (its id is given); `names`: region names by code, the code standing in
    // for one not there; `budget`: the limits each region's median is checked against (none for an export).
    static QJsonObject test(
        const TestRecord &test, bool saved, const QHash<QString, QString> &names, const Budget &budget);
    // The tests of the history database at `databasePath`, as HistoryStore::list gives them.
    static QJsonObject history(const QList<TestSummary> &tests, const QString &databasePath);

    // The names the test document gives region codes: the built-in catalog's cities, then the fleet config's own
    // names where it gives one.
    static QHash<QString, QString> regionNames(const FleetConfig &config);
};
