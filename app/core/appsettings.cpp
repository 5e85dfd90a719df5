#include "appsettings.h"

AppSettings::AppSettings() = default;

AppSettings::AppSettings(const QString &iniFileName)
    : m_settings(iniFileName, QSettings::IniFormat)
{ }

AppSettings::~AppSettings() = default;
