#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

// What a caller asks of one measured run.
struct LoadOptions
{
    static constexpr int defaultTimeoutMs = 60'000;
    static constexpr int maxTimeoutMs = 10 * 60'000;

    int timeoutMs = defaultTimeoutMs;
    QString profile = QStringLiteral("Native"); // a ConnectivityProfile name
    bool repeatView = false;
    bool screenshot = false;

    QJsonObject toJson() const;
    // Validates ranges and that the profile exists.
    static std::optional<LoadOptions> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const LoadOptions &, const LoadOptions &) = default;
};
