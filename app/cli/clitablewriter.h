#pragma once

#include "historystore.h"

#include <QList>
#include <QString>
#include <QTextStream>

struct RunReport;

// worldspeed-cli's tables, for people at a terminal (README.md): a run's results and the history's list. Column
// widths follow the longest region code; a value that was not measured is "—", never 0.
class CliTableWriter final
{
public:
    // The test and its settings, one row of medians per region (and per region's repeat view), each failed run's
    // error, the budget's checks when limits were given, and the files written.
    static void writeRun(QTextStream &out, const RunReport &report);
    // The history's tests, newest first, or a line that says there are none in `databasePath`.
    static void writeHistory(QTextStream &out, const QList<TestSummary> &tests, const QString &databasePath);
};
