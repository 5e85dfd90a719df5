#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QString>

// How a load time reads on the map and in the report: a colour on a good→poor scale (green up to 1 s, yellow at
// 2.5 s, red from 4 s on) and a short label.
class LoadTimeScale final
{
    Q_DECLARE_TR_FUNCTIONS(LoadTimeScale)

public:
    static constexpr double goodMs = 1000;
    static constexpr double mediumMs = 2500;
    static constexpr double poorMs = 4000;

    static QColor color(double loadMs);
    // "420 ms", "2.48 s", "12.3 s".
    static QString label(double loadMs);
};
