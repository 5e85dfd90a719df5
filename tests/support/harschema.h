#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QStringBuilder>
#include <QStringList>

// A HAR 1.2 schema small enough to read, for the HAR writer's tests: every object the HAR 1.2 spec defines, with each
// field's JSON type and whether it is required. Custom fields (leading "_") are allowed anywhere and not checked here.
class HarSchema
{
public:
    QStringList errors;

    void log(const QJsonObject &log)
    {
        const QString at = QStringLiteral("log");
        require(log, at, u"version", QJsonValue::String);
        if (log.value(u"version").toString() != u"1.2")
            errors << at % u".version is not 1.2";
        nameVersion(object(log, at, u"creator", Required), at % u".creator");
        if (log.contains(u"browser"))
            nameVersion(object(log, at, u"browser", Required), at % u".browser");
        optional(log, at, u"comment", QJsonValue::String);
        const QJsonArray pages = array(log, at, u"pages", Optional);
        for (qsizetype i = 0; i < pages.size(); ++i)
            page(item(pages, i, at % u".pages"), at % u".pages[" % QString::number(i) % u']');
        const QJsonArray entries = array(log, at, u"entries", Required);
        for (qsizetype i = 0; i < entries.size(); ++i)
            entry(item(entries, i, at % u".entries"), at % u".entries[" % QString::number(i) % u']');
    }

private:
    enum Presence { Optional, Required };

    void nameVersion(const QJsonObject &json, const QString &at)
    {
        require(json, at, u"name", QJsonValue::String);
        require(json, at, u"version", QJsonValue::String);
        optional(json, at, u"comment", QJsonValue::String);
    }

    void page(const QJsonObject &page, const QString &at)
    {
        dateTime(page, at, u"startedDateTime");
        require(page, at, u"id", QJsonValue::String);
        require(page, at, u"title", QJsonValue::String);
        const QJsonObject timings = object(page, at, u"pageTimings", Required);
        timing(timings, at % u".pageTimings", u"onContentLoad", Optional, true);
        timing(timings, at % u".pageTimings", u"onLoad", Optional, true);
    }

    void entry(const QJsonObject &entry, const QString &at)
    {
        optional(entry, at, u"pageref", QJsonValue::String);
        dateTime(entry, at, u"startedDateTime");
        timing(entry, at, u"time", Required, false);
        request(object(entry, at, u"request", Required), at % u".request");
        response(object(entry, at, u"response", Required), at % u".response");
        const QJsonObject cache = object(entry, at, u"cache", Required);
        for (const auto key : { u"beforeRequest", u"afterRequest" }) {
            const QJsonValue value = cache.value(key);
            if (!value.isUndefined() && !value.isNull() && !value.isObject())
                errors << at % u".cache." % QStringView(key) % u" is neither an object nor null";
        }
        const QJsonObject timings = object(entry, at, u"timings", Required);
        const QString t = at % u".timings";
        timing(timings, t, u"blocked", Optional, true);
        timing(timings, t, u"dns", Optional, true);
        timing(timings, t, u"connect", Optional, true);
        timing(timings, t, u"send", Required, false);
        timing(timings, t, u"wait", Required, false);
        timing(timings, t, u"receive", Required, false);
        timing(timings, t, u"ssl", Optional, true);
        optional(entry, at, u"serverIPAddress", QJsonValue::String);
        optional(entry, at, u"connection", QJsonValue::String);
    }

    void request(const QJsonObject &request, const QString &at)
    {
        require(request, at, u"method", QJsonValue::String);
        require(request, at, u"url", QJsonValue::String);
        require(request, at, u"httpVersion", QJsonValue::String);
        cookies(array(request, at, u"cookies", Required), at % u".cookies");
        nameValues(array(request, at, u"headers", Required), at % u".headers");
        nameValues(array(request, at, u"queryString", Required), at % u".queryString");
        optional(request, at, u"postData", QJsonValue::Object);
        size(request, at, u"headersSize");
        size(request, at, u"bodySize");
    }

    void response(const QJsonObject &response, const QString &at)
    {
        require(response, at, u"status", QJsonValue::Double);
        require(response, at, u"statusText", QJsonValue::String);
        require(response, at, u"httpVersion", QJsonValue::String);
        cookies(array(response, at, u"cookies", Required), at % u".cookies");
        nameValues(array(response, at, u"headers", Required), at % u".headers");
        const QJsonObject content = object(response, at, u"content", Required);
        require(content, at % u".content", u"size", QJsonValue::Double);
        optional(content, at % u".content", u"compression", QJsonValue::Double);
        require(content, at % u".content", u"mimeType", QJsonValue::String);
        optional(content, at % u".content", u"text", QJsonValue::String);
        optional(content, at % u".content", u"encoding", QJsonValue::String);
        require(response, at, u"redirectURL", QJsonValue::String);
        size(response, at, u"headersSize");
        size(response, at, u"bodySize");
    }

    void cookies(const QJsonArray &cookies, const QString &at)
    {
        for (qsizetype i = 0; i < cookies.size(); ++i) {
            const QString here = at % u'[' % QString::number(i) % u']';
            const QJsonObject cookie = item(cookies, i, at);
            require(cookie, here, u"name", QJsonValue::String);
            require(cookie, here, u"value", QJsonValue::String);
            optional(cookie, here, u"path", QJsonValue::String);
            optional(cookie, here, u"domain", QJsonValue::String);
            optional(cookie, here, u"expires", QJsonValue::String);
            optional(cookie, here, u"httpOnly", QJsonValue::Bool);
            optional(cookie, here, u"secure", QJsonValue::Bool);
        }
    }

    void nameValues(const QJsonArray &pairs, const QString &at)
    {
        for (qsizetype i = 0; i < pairs.size(); ++i) {
            const QString here = at % u'[' % QString::number(i) % u']';
            const QJsonObject pair = item(pairs, i, at);
            require(pair, here, u"name", QJsonValue::String);
            require(pair, here, u"value", QJsonValue::String);
        }
    }

    // A millisecond count: >= 0, or -1 where the spec allows "not applicable".
    void timing(const QJsonObject &json, const QString &at, QStringView key, Presence presence, bool minusOneAllowed)
    {
        if (!json.contains(key) && presence == Optional)
            return;
        if (!require(json, at, key, QJsonValue::Double))
            return;
        const double value = json.value(key).toDouble();
        if (!(value >= 0 || (minusOneAllowed && value == -1)))
            errors << at % u'.' % key % u" is " % QString::number(value);
    }

    void size(const QJsonObject &json, const QString &at, QStringView key)
    {
        if (!require(json, at, key, QJsonValue::Double))
            return;
        const double value = json.value(key).toDouble();
        if (value != std::floor(value) || value < -1)
            errors << at % u'.' % key % u" is not a size or -1: " % QString::number(value);
    }

    void dateTime(const QJsonObject &json, const QString &at, QStringView key)
    {
        if (!require(json, at, key, QJsonValue::String))
            return;
        static const QRegularExpression iso(
            QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$)"));
        const QString text = json.value(key).toString();
        if (!iso.match(text).hasMatch() || !QDateTime::fromString(text, Qt::ISODateWithMs).isValid())
            errors << at % u'.' % key % u" is not ISO 8601 with milliseconds: " % text;
    }

    bool require(const QJsonObject &json, const QString &at, QStringView key, QJsonValue::Type type)
    {
        if (!json.contains(key)) {
            errors << at % u'.' % key % u" is missing";
            return false;
        }
        return optional(json, at, key, type);
    }

    bool optional(const QJsonObject &json, const QString &at, QStringView key, QJsonValue::Type type)
    {
        if (json.contains(key) && json.value(key).type() != type) {
            errors << at % u'.' % key % u" has JSON type " % QString::number(json.value(key).type()) % u", expected "
                    % QString::number(type);
            return false;
        }
        return true;
    }

    QJsonObject object(const QJsonObject &json, const QString &at, QStringView key, Presence presence)
    {
        if (presence == Required ? require(json, at, key, QJsonValue::Object)
                                 : optional(json, at, key, QJsonValue::Object))
            return json.value(key).toObject();
        return {};
    }

    QJsonArray array(const QJsonObject &json, const QString &at, QStringView key, Presence presence)
    {
        if (presence == Required ? require(json, at, key, QJsonValue::Array)
                                 : optional(json, at, key, QJsonValue::Array))
            return json.value(key).toArray();
        return {};
    }

    QJsonObject item(const QJsonArray &array, qsizetype i, const QString &at)
    {
        if (!array.at(i).isObject())
            errors << at % u'[' % QString::number(i) % u"] is not an object";
        return array.at(i).toObject();
    }
};
