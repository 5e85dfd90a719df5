#pragma once

#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>

// One main-thread task of 50 ms or more, as the page's own Long Tasks API reported it: what blocked the page from
// answering its user. A view's result carries its first maxPerView (in the order they ran), so the waterfall can show
// them as a main-thread row; its long-task count, longest task and Total Blocking Time (PageMetrics) cover them all.
struct LongTask
{
    static constexpr qsizetype maxPerView = 200;
    static constexpr double thresholdMs = 50; // a task this long or longer is a long task
    static constexpr double maxMs = 24.0 * 3600 * 1000;

    double startMs = 0; // from navigation start
    double durationMs = 0;

    double endMs() const { return startMs + durationMs; }

    // [[startMs, durationMs], …], in the page's own shape, so a view of 200 tasks costs a few kilobytes.
    static QJsonArray toJson(const QList<LongTask> &tasks);
    // Strict: at most maxPerView pairs of finite numbers within 0 … maxMs, else nothing and why.
    static std::optional<QList<LongTask>> fromJson(const QJsonArray &json, QString *error);
    friend bool operator==(const LongTask &, const LongTask &) = default;
};
