#pragma once

#include <QString>
#include <QStringView>

#include <optional>

// Where one run of a page in one region has got to, as the probe reports it and the map shows it. The names are
// the wire's.
enum class RunState { Queued, StartingBrowser, Loading, Complete, Error };
QString runStateName(RunState state); // "queued", "starting-browser", "loading", "complete", "error"
std::optional<RunState> runStateFromName(QStringView name);
