#include "viewresult.h"

#include "jsonreader.h"
#include "warnings.h"

#include <QJsonArray>

namespace {
constexpr qsizetype maxRequests = 100'000;
constexpr qsizetype maxScreenshotBase64 = 32 * 1024 * 1024;
} // namespace

QJsonObject ViewResult::toJson() const
{
    QJsonObject json;
    json.insert(QStringLiteral("url"), url);
    if (!finalUrl.isEmpty())
        json.insert(QStringLiteral("finalUrl"), finalUrl);
    if (startedAt.isValid())
        json.insert(QStringLiteral("startedAt"), startedAt.toUTC().toString(Qt::ISODateWithMs));
    json.insert(QStringLiteral("metrics"), metrics.toJson());
    QJsonArray array;
    for (const RequestTiming &request : requests)
        array.append(request.toJson());
    json.insert(QStringLiteral("requests"), array);
    if (!screenshotPng.isEmpty())
        json.insert(QStringLiteral("screenshotPng"), QString::fromLatin1(screenshotPng.toBase64()));
    if (!filmstrip.isEmpty())
        json.insert(QStringLiteral("filmstrip"), filmstrip.toJson());
    if (!longTasks.isEmpty())
        json.insert(QStringLiteral("longTasks"), LongTask::toJson(longTasks));
    if (error)
        json.insert(QStringLiteral("error"), error->toJson());
    if (!warnings.isEmpty())
        json.insert(QStringLiteral("warnings"), Warnings::toJson(warnings));
    return json;
}

std::optional<ViewResult> ViewResult::fromJson(const QJsonObject &json, QString *error)
{
    using P = JsonReader::Presence;
    JsonReader r(json);
    ViewResult v;
    v.url = r.string(QStringLiteral("url"), P::Required, 64 * 1024);
    v.finalUrl = r.string(QStringLiteral("finalUrl"), P::Optional, 64 * 1024);
    const QString started = r.string(QStringLiteral("startedAt"), P::Optional, 64);
    if (!started.isEmpty()) {
        v.startedAt = QDateTime::fromString(started, Qt::ISODateWithMs);
        if (!v.startedAt.isValid())
            r.fail(QStringLiteral("startedAt"), QStringLiteral("not an ISO 8601 date and time"));
    }
    QString nested;
    if (auto metrics = PageMetrics::fromJson(r.object(QStringLiteral("metrics"), P::Required), &nested))
        v.metrics = *metrics;
    else if (r.ok())
        r.fail(QStringLiteral("metrics"), nested);
    const QJsonArray requests = r.array(QStringLiteral("requests"), P::Optional, maxRequests);
    for (qsizetype i = 0; i < requests.size() && r.ok(); ++i) {
        if (auto request = RequestTiming::fromJson(requests.at(i).toObject(), &nested))
            v.requests.append(std::move(*request));
        else
            r.fail(QStringLiteral("requests[%1]").arg(i), nested);
    }
    const QString screenshot = r.string(QStringLiteral("screenshotPng"), P::Optional, maxScreenshotBase64);
    if (!screenshot.isEmpty()) {
        auto decoded = QByteArray::fromBase64Encoding(screenshot.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (decoded)
            v.screenshotPng = *decoded;
        else
            r.fail(QStringLiteral("screenshotPng"), QStringLiteral("not base64"));
    }
    if (r.has(QStringLiteral("filmstrip")) && r.ok()) {
        if (auto strip
            = Filmstrip::fromJson(r.array(QStringLiteral("filmstrip"), P::Optional, Filmstrip::maxFrames), &nested))
            v.filmstrip = std::move(*strip);
        else if (r.ok())
            r.fail(QStringLiteral("filmstrip"), nested);
    }
    if (r.has(QStringLiteral("longTasks")) && r.ok()) {
        if (auto tasks
            = LongTask::fromJson(r.array(QStringLiteral("longTasks"), P::Optional, LongTask::maxPerView + 1), &nested))
            v.longTasks = std::move(*tasks);
        else if (r.ok())
            r.fail(QStringLiteral("longTasks"), nested);
    }
    if (r.has(QStringLiteral("error"))) {
        if (auto loadError = LoadError::fromJson(r.object(QStringLiteral("error")), &nested))
            v.error = *loadError;
        else if (r.ok())
            r.fail(QStringLiteral("error"), nested);
    }
    v.warnings = Warnings::fromJson(r, QStringLiteral("warnings"));
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return v;
}
