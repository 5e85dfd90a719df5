#pragma once

#include <QObject>

#include <functional>

// Where the pools get their time from. Production uses SystemClock; pool tests use a manual clock they advance
// by hand, so idle shutdowns, boot timeouts and queue deadlines are tested exactly and without waiting.
class Clock
{
public:
    using TimerId = quint64;

    virtual ~Clock() = default;

    // Milliseconds on a monotonic scale; only differences mean anything.
    virtual qint64 nowMs() const = 0;
    // Calls `callback` once, `delayMs` from now (0: on the next turn of the event loop, never inside this call),
    // unless cancelled first or `context` is destroyed first.
    virtual TimerId callAfter(qint64 delayMs, QObject *context, std::function<void()> callback) = 0;
    virtual void cancel(TimerId id) = 0;
};

// QElapsedTimer and QTimer: the real thing.
class SystemClock final : public Clock
{
public:
    SystemClock();
    ~SystemClock() override;

    qint64 nowMs() const override;
    TimerId callAfter(qint64 delayMs, QObject *context, std::function<void()> callback) override;
    void cancel(TimerId id) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};
