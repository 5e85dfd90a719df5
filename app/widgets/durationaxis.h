#pragma once

#include <QCategoryAxis>

// A chart's time axis from 0 to a round top, its ticks written as DisplayFormat::axisTick writes them ("0",
// "500 ms", "1.5 s"), as the waterfall's and the PDF chart's are: a QValueAxis can only print its numbers
// through a printf format, which reads "12000 ms" where every other view says "12 s". Its labels are therefore
// categories, one ending at each tick.
class DurationAxis final : public QCategoryAxis
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DurationAxis)

public:
    explicit DurationAxis(QObject *parent = nullptr);
    ~DurationAxis() override;

    // From 0 to `topMs` in `tickCount` evenly spaced ticks, both ends included.
    void setTicks(double topMs, int tickCount);
    double topMs() const { return max(); }
};
