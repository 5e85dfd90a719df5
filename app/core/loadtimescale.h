#pragma once

#include <QColor>

// How a load time looks on the map and in the report: a colour on a good→poor scale (green up to 1 s, yellow at
// 2.5 s, red from 4 s on). Its words are DisplayFormat's, as everywhere.
class LoadTimeScale final
{
public:
    static constexpr double goodMs = 1000;
    static constexpr double mediumMs = 2500;
    static constexpr double poorMs = 4000;

    static QColor color(double loadMs);
};
