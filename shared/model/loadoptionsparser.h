#pragma once

#include "loadoptions.h"

#include <QCommandLineOption>
#include <QList>

#include <optional>

class QCommandLineParser;

// The command-line options that say how a page is loaded, as `worldspeed-probe measure` and `worldspeed-cli run`
// both take them: --profile, --runs, --repeat-view, --timeout, --device, --cpu-slowdown, --finish-at, and the test
// settings (--header, --public-header, --cookie, --user-agent, --basic-auth, --block, --block-domains,
// --block-domains-except, --script). They are declared on the command's QCommandLineParser here, in this order, and
// read back into LoadOptions and a number of runs with one set of error messages, so the two commands cannot drift
// apart. Each option is one row of the table in loadoptionsparser.cpp (the option, and how its value goes into Values):
// an option added there reaches both commands.
class LoadOptionsParser final
{
public:
    // What the options ask for: the defaults where an option is not given.
    struct Values
    {
        LoadOptions options;
        int runs = 1;
        friend bool operator==(const Values &, const Values &) = default;
    };
    static constexpr int maxRuns = 100;

    // `runsLabel`: how --runs's help names what the command counts ("Runs per region"); the range and what is
    // reported of them follow it.
    explicit LoadOptionsParser(const QString &runsLabel);

    void addOptions(QCommandLineParser &parser) const;
    // The values of a parser that has parsed the command line (QCommandLineParser::parse). On a bad value, nullopt
    // and a message that names the option and what it takes.
    std::optional<Values> read(const QCommandLineParser &parser, QString *error) const;

private:
    struct Row
    {
        QCommandLineOption option;
        // Reads the option's value into `values`; returns the message for a bad one, else an empty string.
        QString (*read)(const QCommandLineParser &parser, const QCommandLineOption &option, Values &values);
    };

    // The table's groups, in --help's order: how many runs of what; the device and when a view ends; what each
    // request carries; what the page may load, a script, and a filmstrip.
    static QList<Row> runRows(const QString &runsLabel);
    static QList<Row> deviceRows();
    static QList<Row> requestRows();
    static QList<Row> pageRows();

    QList<Row> m_rows;
};
