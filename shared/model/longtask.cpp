#include "longtask.h"

#include <cmath>

QJsonArray LongTask::toJson(const QList<LongTask> &tasks)
{
    QJsonArray json;
    for (const LongTask &task : tasks)
        json.append(QJsonArray { task.startMs, task.durationMs });
    return json;
}

std::optional<QList<LongTask>> LongTask::fromJson(const QJsonArray &json, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (json.size() > maxPerView)
        return fail(QStringLiteral("more than %1 long tasks").arg(maxPerView));
    QList<LongTask> tasks;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const QJsonArray pair = json.at(i).toArray();
        const auto inRange = [](const QJsonValue &value) {
            return value.isDouble() && std::isfinite(value.toDouble()) && value.toDouble() >= 0
                && value.toDouble() <= maxMs;
        };
        if (pair.size() != 2 || !inRange(pair.at(0)) || !inRange(pair.at(1)))
            return fail(QStringLiteral("[%1] is not [startMs, durationMs] within 0 … %2").arg(i).arg(maxMs));
        tasks.append({ pair.at(0).toDouble(), pair.at(1).toDouble() });
    }
    return tasks;
}
