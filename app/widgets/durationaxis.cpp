#include "durationaxis.h"

#include "model/displayformat.h"

#include <QLocale>

#include <algorithm>

DurationAxis::DurationAxis(QObject *parent)
    : QCategoryAxis(parent)
{
    setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    setStartValue(0);
}

DurationAxis::~DurationAxis() = default;

void DurationAxis::setTicks(double topMs, int tickCount)
{
    tickCount = std::max(2, tickCount);
    const double stepMs = topMs / (tickCount - 1);
    QStringList labels;
    for (int i = 0; i < tickCount; ++i)
        labels.append(DisplayFormat::axisTick(i * stepMs, stepMs, topMs, QLocale()));
    if (labels == categoriesLabels() && min() == 0 && max() == topMs)
        return; // a running test redraws often; the axis only when it changed
    for (const QString &label : categoriesLabels())
        remove(label);
    // The first category ends where it starts, at 0: the only way to give 0 its label too.
    for (int i = 0; i < tickCount; ++i)
        append(labels.at(i), i * stepMs);
    setRange(0, topMs);
}
