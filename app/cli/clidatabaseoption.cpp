#include "clidatabaseoption.h"

#include "appenvironment.h"

#include <QCommandLineParser>

CliDatabaseOption::CliDatabaseOption()
    : m_option(QStringLiteral("database"), QStringLiteral("The history database (default: the app's)."),
        QStringLiteral("FILE"))
{ }

QString CliDatabaseOption::path(const QCommandLineParser &parser) const
{
    return parser.isSet(m_option) ? parser.value(m_option) : AppEnvironment::databasePath();
}
