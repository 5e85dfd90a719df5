#pragma once

#include <QString>
#include <QStringView>

#include <optional>

// Which load of the page a request or metrics belong to: the first view (a fresh browser context, cold cache) or
// the repeat view (the same context again, warm cache). The names are the wire's, the CSV's and the JSON's.
enum class RunView { First, Repeat };
QString runViewName(RunView view); // "first", "repeat"
std::optional<RunView> runViewFromName(QStringView name);
