#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <limits>
#include <optional>

// Reads fields out of untrusted JSON with type and range checks. The first problem wins and is kept with the
// field's path ("phases.dns: expected a number"), so a decoder can read every field straight through and ask
// ok() once at the end instead of guarding each line.
class JsonReader final
{
public:
    enum class Presence { Optional, Required };

    explicit JsonReader(QJsonObject object, QString path = {});

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    void fail(const QString &key, const QString &why);

    bool has(const QString &key) const { return m_object.contains(key) && !m_object.value(key).isNull(); }
    // Fails on the first key that is not in `known`: a misspelt setting would otherwise be ignored in silence
    // and its default used. `what` names the object for the message ("a pool setting"). Keys that start with
    // "//" are comments (JSON has none) and always allowed.
    void allowOnly(const QStringList &known, const QString &what);

    QString string(const QString &key, Presence presence = Presence::Optional, qsizetype maxLength = 1 << 20);
    std::optional<double> number(const QString &key, Presence presence = Presence::Optional,
        double min = std::numeric_limits<double>::lowest(), double max = std::numeric_limits<double>::max());
    std::optional<qint64> integer(const QString &key, Presence presence = Presence::Optional,
        qint64 min = std::numeric_limits<qint64>::min(), qint64 max = std::numeric_limits<qint64>::max());
    bool boolean(const QString &key, bool fallback = false);
    QJsonObject object(const QString &key, Presence presence = Presence::Optional);
    QJsonArray array(const QString &key, Presence presence = Presence::Optional, qsizetype maxItems = 1 << 20);

    // A reader for a nested object whose errors carry the full path; merge its error back with adopt().
    JsonReader child(const QJsonObject &object, const QString &key) const;
    void adopt(const JsonReader &child);

private:
    QString pathOf(const QString &key) const;
    bool missing(const QString &key, Presence presence);

    QJsonObject m_object;
    QString m_path;
    QString m_error;
};
