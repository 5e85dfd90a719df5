#pragma once

#include <QCommandLineOption>
#include <QString>

class QCommandLineParser;

// `--database FILE`, the history database that `history` and `export` read: declared once, so that both spell,
// explain and default it alike.
class CliDatabaseOption final
{
public:
    CliDatabaseOption();

    const QCommandLineOption &option() const { return m_option; }
    // The file the option names, else the app's own history database.
    QString path(const QCommandLineParser &parser) const;

private:
    QCommandLineOption m_option;
};
