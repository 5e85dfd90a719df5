#pragma once

#include "historystore.h"

#include <QList>
#include <QString>

struct TestRecord;

// worldspeed-cli's CSV on stdout, RFC 4180 as app/core/CSV.md specifies it: a run's is the regions file of the app's
// CSV export; the history's has the columns of its JSON (README.md).
class CliCsvWriter final
{
public:
    static QString run(const TestRecord &test);
    static QString history(const QList<TestSummary> &tests);
};
