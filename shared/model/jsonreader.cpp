#include "jsonreader.h"

#include <cmath>

JsonReader::JsonReader(QJsonObject object, QString path)
    : m_object(std::move(object))
    , m_path(std::move(path))
{ }

QString JsonReader::pathOf(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + u'.' + key;
}

void JsonReader::fail(const QString &key, const QString &why)
{
    if (m_error.isEmpty())
        m_error = pathOf(key) + u": " + why;
}

void JsonReader::allowOnly(const QStringList &known, const QString &what)
{
    for (auto it = m_object.begin(); it != m_object.end(); ++it) {
        if (!known.contains(it.key()) && !it.key().startsWith(u"//")) {
            fail(
                it.key(), QStringLiteral("is not %1 (expected one of %2)").arg(what, known.join(QStringLiteral(", "))));
            return;
        }
    }
}

bool JsonReader::missing(const QString &key, Presence presence)
{
    if (has(key))
        return false;
    if (presence == Presence::Required)
        fail(key, QStringLiteral("is required"));
    return true;
}

QString JsonReader::string(const QString &key, Presence presence, qsizetype maxLength)
{
    if (missing(key, presence))
        return {};
    const QJsonValue value = m_object.value(key);
    if (!value.isString()) {
        fail(key, QStringLiteral("expected a string"));
        return {};
    }
    QString text = value.toString();
    if (text.size() > maxLength) {
        fail(key, QStringLiteral("longer than %1 characters").arg(maxLength));
        return {};
    }
    return text;
}

std::optional<double> JsonReader::number(const QString &key, Presence presence, double min, double max)
{
    if (missing(key, presence))
        return std::nullopt;
    const QJsonValue value = m_object.value(key);
    if (!value.isDouble() || !std::isfinite(value.toDouble())) {
        fail(key, QStringLiteral("expected a number"));
        return std::nullopt;
    }
    const double number = value.toDouble();
    if (number < min || number > max) {
        fail(key, QStringLiteral("%1 is outside %2 … %3").arg(number).arg(min).arg(max));
        return std::nullopt;
    }
    return number;
}

std::optional<qint64> JsonReader::integer(const QString &key, Presence presence, qint64 min, qint64 max)
{
    if (missing(key, presence))
        return std::nullopt;
    const QJsonValue value = m_object.value(key);
    const double number = value.toDouble();
    // 2^53: beyond it a JSON number no longer holds every integer exactly.
    constexpr double exactLimit = 9007199254740992.0;
    if (!value.isDouble() || !std::isfinite(number) || std::trunc(number) != number || std::fabs(number) > exactLimit) {
        fail(key, QStringLiteral("expected an integer"));
        return std::nullopt;
    }
    const auto integer = static_cast<qint64>(number);
    if (integer < min || integer > max) {
        fail(key, QStringLiteral("%1 is outside %2 … %3").arg(integer).arg(min).arg(max));
        return std::nullopt;
    }
    return integer;
}

bool JsonReader::boolean(const QString &key, bool fallback)
{
    if (!has(key))
        return fallback;
    const QJsonValue value = m_object.value(key);
    if (!value.isBool()) {
        fail(key, QStringLiteral("expected true or false"));
        return fallback;
    }
    return value.toBool();
}

QJsonObject JsonReader::object(const QString &key, Presence presence)
{
    if (missing(key, presence))
        return {};
    const QJsonValue value = m_object.value(key);
    if (!value.isObject()) {
        fail(key, QStringLiteral("expected an object"));
        return {};
    }
    return value.toObject();
}

QJsonArray JsonReader::array(const QString &key, Presence presence, qsizetype maxItems)
{
    if (missing(key, presence))
        return {};
    const QJsonValue value = m_object.value(key);
    if (!value.isArray()) {
        fail(key, QStringLiteral("expected an array"));
        return {};
    }
    QJsonArray items = value.toArray();
    if (items.size() > maxItems) {
        fail(key, QStringLiteral("has more than %1 items").arg(maxItems));
        return {};
    }
    return items;
}

JsonReader JsonReader::child(const QJsonObject &object, const QString &key) const
{
    return JsonReader(object, pathOf(key));
}

void JsonReader::adopt(const JsonReader &child)
{
    if (m_error.isEmpty())
        m_error = child.m_error;
}
