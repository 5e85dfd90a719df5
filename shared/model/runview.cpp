#include "runview.h"

QString runViewName(RunView view)
{
    return view == RunView::Repeat ? QStringLiteral("repeat") : QStringLiteral("first");
}

std::optional<RunView> runViewFromName(QStringView text)
{
    if (text == u"first")
        return RunView::First;
    if (text == u"repeat")
        return RunView::Repeat;
    return std::nullopt;
}
