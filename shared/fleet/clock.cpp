#include "clock.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <limits>

struct SystemClock::Private
{
    QElapsedTimer elapsed;
    TimerId nextId = 1;
    QHash<TimerId, QPointer<QTimer>> timers;
};

SystemClock::SystemClock()
    : d(std::make_unique<Private>())
{
    d->elapsed.start();
}

SystemClock::~SystemClock()
{
    for (const QPointer<QTimer> &timer : std::as_const(d->timers))
        delete timer.data();
}

qint64 SystemClock::nowMs() const
{
    return d->elapsed.elapsed();
}

Clock::TimerId SystemClock::callAfter(qint64 delayMs, QObject *context, std::function<void()> callback)
{
    const TimerId id = d->nextId++;
    // Owned by the context: gone with it, so the callback can never outlive what it refers to.
    auto *timer = new QTimer(context);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    QObject::connect(timer, &QTimer::timeout, timer, [this, id, timer, callback = std::move(callback)] {
        d->timers.remove(id);
        timer->deleteLater();
        callback();
    });
    d->timers.insert(id, timer);
    timer->start(static_cast<int>(std::clamp<qint64>(delayMs, 0, std::numeric_limits<int>::max())));
    return id;
}

void SystemClock::cancel(TimerId id)
{
    if (QPointer<QTimer> timer = d->timers.take(id)) {
        timer->stop();
        timer->deleteLater();
    }
}
