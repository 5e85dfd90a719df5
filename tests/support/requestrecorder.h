#pragma once

#include "requesttracker.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>
#include <utility>

// A RequestTracker fed the Network.* events of a recording (a JSON array of {method, params}, as tests/cdp holds
// them), and everything it reported. Header only: it reads the probe's headers, so only the probe's tests include it.
class RequestRecorder final
{
    Q_DISABLE_COPY_MOVE(RequestRecorder)

public:
    explicit RequestRecorder(const QString &mainFrameId)
    {
        QObject::connect(&tracker, &RequestTracker::requestFinished, &tracker,
            [this](const RequestTiming &request) { finished.append(request); });
        QObject::connect(&tracker, &RequestTracker::activity, &tracker, [this](double ts) { activity.append(ts); });
        QObject::connect(
            &tracker, &RequestTracker::responseFrom, &tracker, [this](const QString &url, const QString &remoteIp) {
                responses.append({ url, remoteIp });
            });
        QObject::connect(&tracker, &RequestTracker::documentResponded, &tracker,
            [this](std::optional<int> status, const QString &finalUrl) {
                documentAnswers.append({ status, finalUrl });
            });
        tracker.beginView(mainFrameId);
    }

    // The events of a recording file; a file that cannot be read or parsed ends the test program.
    static QJsonArray parse(const QString &recording)
    {
        QFile file(recording);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read the recording %s", qPrintable(recording));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
        if (error.error != QJsonParseError::NoError)
            qFatal("the recording %s does not parse: %s", qPrintable(recording), qPrintable(error.errorString()));
        return document.array();
    }

    // Feeds the first `count` events of a recording (all of them by default); false if one was not taken.
    bool play(const QString &recording, qsizetype count = -1) { return play(parse(recording), count); }
    bool play(const QJsonArray &events, qsizetype count = -1)
    {
        if (count < 0)
            count = events.size();
        for (qsizetype i = 0; i < count; ++i) {
            const QJsonObject event = events.at(i).toObject();
            if (!tracker.handleEvent(
                    event.value(QStringLiteral("method")).toString(), event.value(QStringLiteral("params")).toObject()))
                return false;
        }
        return true;
    }

    const RequestTiming *find(const QString &url) const
    {
        for (const RequestTiming &request : finished) {
            if (request.url == url)
                return &request;
        }
        return nullptr;
    }

    QStringList ids() const
    {
        QStringList ids;
        for (const RequestTiming &request : finished)
            ids.append(request.id);
        return ids;
    }

    RequestTracker tracker;
    QList<RequestTiming> finished;
    QList<double> activity;
    QList<std::pair<QString, QString>> responses;
    QList<std::pair<std::optional<int>, QString>> documentAnswers;
};
