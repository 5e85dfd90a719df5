#include "runstate.h"

#include <array>
#include <utility>

namespace {
constexpr std::array stateNames {
    std::pair { RunState::Queued, u"queued" },
    std::pair { RunState::StartingBrowser, u"starting-browser" },
    std::pair { RunState::Loading, u"loading" },
    std::pair { RunState::Complete, u"complete" },
    std::pair { RunState::Error, u"error" },
};
} // namespace

QString runStateName(RunState state)
{
    for (const auto &[s, name] : stateNames) {
        if (s == state)
            return QStringView(name).toString();
    }
    return QStringLiteral("error");
}

std::optional<RunState> runStateFromName(QStringView text)
{
    for (const auto &[s, name] : stateNames) {
        if (text == QStringView(name))
            return s;
    }
    return std::nullopt;
}
