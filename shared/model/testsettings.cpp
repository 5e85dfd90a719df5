#include "testsettings.h"

#include "jsonreader.h"
#include "testscript.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace {

const QRegularExpression &secretPattern()
{
    static const QRegularExpression pattern(QStringLiteral(R"(\$\{secret:([A-Za-z0-9_.-]{1,64})\})"));
    return pattern;
}

// RFC 9110's token: what a header or cookie name may be made of.
bool isToken(const QString &text)
{
    static const QRegularExpression token(QStringLiteral(R"(^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$)"));
    return token.match(text).hasMatch();
}

bool isHost(const QString &text)
{
    static const QRegularExpression host(QStringLiteral(R"(^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$)"));
    return host.match(text).hasMatch();
}

// Control characters would let a value end the header and start another.
bool isHeaderValue(const QString &text)
{
    return std::none_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20 && c != u'\t'; })
        && !text.contains(QChar(0x7f));
}

QJsonArray stringsToJson(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList stringsFromJson(JsonReader &r, const QString &key, qsizetype maxLength)
{
    QStringList out;
    for (const QJsonValue &value : r.array(key, JsonReader::Presence::Optional, TestSettings::maxItems)) {
        if (!value.isString() || value.toString().isEmpty() || value.toString().size() > maxLength) {
            r.fail(key, QStringLiteral("each item is a string of 1 to %1 characters").arg(maxLength));
            return {};
        }
        out.append(value.toString());
    }
    return out;
}

} // namespace

std::optional<HeaderSetting> HeaderSetting::parse(const QString &text, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    HeaderSetting header;
    QString rest = text.trimmed();
    if (rest.startsWith(u'[')) {
        const qsizetype close = rest.indexOf(u']');
        if (close < 0)
            return fail(QStringLiteral("\"%1\": a host limit is written [host] before the header").arg(text));
        header.host = rest.mid(1, close - 1).trimmed().toLower();
        if (!isHost(header.host))
            return fail(QStringLiteral("\"%1\" is not a host name").arg(header.host));
        rest = rest.mid(close + 1).trimmed();
    }
    const qsizetype colon = rest.indexOf(u':');
    if (colon <= 0)
        return fail(QStringLiteral("a header is written \"Name: value\", not \"%1\"").arg(text));
    header.name = rest.left(colon).trimmed();
    header.value = rest.mid(colon + 1).trimmed();
    if (!isToken(header.name))
        return fail(QStringLiteral("\"%1\" is not a header name").arg(header.name));
    if (header.value.size() > TestSettings::maxValueLength || !isHeaderValue(header.value))
        return fail(QStringLiteral("the value of header %1 has control characters or is over %2 characters")
                        .arg(header.name)
                        .arg(TestSettings::maxValueLength));
    return header;
}

std::optional<CookieSetting> CookieSetting::parse(const QString &text, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QStringList parts = text.split(u';');
    const QString pair = parts.first().trimmed();
    const qsizetype equals = pair.indexOf(u'=');
    if (equals <= 0)
        return fail(
            QStringLiteral("a cookie is written \"name=value\" or \"name=value; domain=host\", not \"%1\"").arg(text));
    CookieSetting cookie { pair.left(equals).trimmed(), pair.mid(equals + 1).trimmed(), {} };
    if (!isToken(cookie.name))
        return fail(QStringLiteral("\"%1\" is not a cookie name").arg(cookie.name));
    if (cookie.value.size() > TestSettings::maxValueLength || !isHeaderValue(cookie.value)
        || cookie.value.contains(u';'))
        return fail(QStringLiteral("the value of cookie %1 has control characters or is over %2 characters")
                        .arg(cookie.name)
                        .arg(TestSettings::maxValueLength));
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QString attribute = parts.at(i).trimmed();
        if (!attribute.startsWith(QStringLiteral("domain="), Qt::CaseInsensitive))
            return fail(
                QStringLiteral("cookie %1: only domain= may follow the value, not \"%2\"").arg(cookie.name, attribute));
        cookie.domain = attribute.mid(7).trimmed().toLower();
        if (cookie.domain.startsWith(u'.'))
            cookie.domain.remove(0, 1);
        if (!isHost(cookie.domain))
            return fail(QStringLiteral("cookie %1: \"%2\" is not a domain").arg(cookie.name, cookie.domain));
    }
    return cookie;
}

std::optional<BasicAuthSetting> BasicAuthSetting::parse(const QString &text, QString *error)
{
    const qsizetype colon = text.indexOf(u':');
    const BasicAuthSetting auth { text.left(colon), text.mid(colon + 1) };
    if (colon <= 0 || !secretPattern().match(TestSettings::secretReference(auth.passwordSecret)).hasMatch()
        || auth.user.size() > 256 || !isHeaderValue(auth.user)) {
        if (error)
            *error = QStringLiteral("basic auth is written USER:SECRET, where SECRET names the secret that holds the "
                                    "password (1-64 of A-Z, a-z, 0-9, '.', '_', '-'), never the password itself");
        return std::nullopt;
    }
    return auth;
}

QString TestSettings::secretReference(const QString &name)
{
    return QStringLiteral("${secret:%1}").arg(name);
}

QStringList TestSettings::secretReferences(const QString &text)
{
    QStringList names;
    for (auto it = secretPattern().globalMatch(text); it.hasNext();) {
        const QString name = it.next().captured(1);
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

QString TestSettings::resolve(const QString &text) const
{
    QString out;
    qsizetype last = 0;
    for (auto it = secretPattern().globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        out += QStringView(text).mid(last, match.capturedStart() - last);
        const auto value = secretValues.constFind(match.captured(1));
        out += value == secretValues.cend() ? match.captured() : *value;
        last = match.capturedEnd();
    }
    return out + QStringView(text).mid(last);
}

bool TestSettings::isEmpty() const
{
    return headers.isEmpty() && cookies.isEmpty() && userAgent.isEmpty() && !basicAuth && block.isEmpty()
        && blockDomains.isEmpty() && blockDomainsExcept.isEmpty() && script.isEmpty();
}

QStringList TestSettings::secretNames() const
{
    QStringList names;
    const auto add = [&names](const QStringList &more) {
        for (const QString &name : more) {
            if (!names.contains(name))
                names.append(name);
        }
    };
    if (basicAuth)
        add({ basicAuth->passwordSecret });
    for (const HeaderSetting &header : headers)
        add(secretReferences(header.value));
    for (const CookieSetting &cookie : cookies)
        add(secretReferences(cookie.value));
    add(secretReferences(script));
    return names;
}

QStringList TestSettings::sensitiveValues() const
{
    QStringList values;
    const auto add = [&values](const QString &value) {
        if (!value.isEmpty() && value != mask() && !values.contains(value))
            values.append(value);
    };
    for (const QString &value : secretValues)
        add(value);
    for (const HeaderSetting &header : headers) {
        if (!header.isPublic)
            add(resolve(header.value));
    }
    for (const CookieSetting &cookie : cookies)
        add(resolve(cookie.value));
    if (basicAuth && secretValues.contains(basicAuth->passwordSecret)) {
        const QString credentials = basicAuth->user + u':' + secretValues.value(basicAuth->passwordSecret);
        add(QString::fromLatin1(credentials.toUtf8().toBase64()));
    }
    return values;
}

QStringList TestSettings::capabilities()
{
    return { QStringLiteral("headers"), QStringLiteral("cookies"), QStringLiteral("user-agent"),
        QStringLiteral("basic-auth"), QStringLiteral("block"), QStringLiteral("script"),
        QStringLiteral("script-steps") };
}

QStringList TestSettings::requiredCapabilities() const
{
    QStringList needed;
    if (!headers.isEmpty())
        needed.append(QStringLiteral("headers"));
    if (!cookies.isEmpty())
        needed.append(QStringLiteral("cookies"));
    if (!userAgent.isEmpty())
        needed.append(QStringLiteral("user-agent"));
    if (basicAuth)
        needed.append(QStringLiteral("basic-auth"));
    if (!block.isEmpty() || !blockDomains.isEmpty() || !blockDomainsExcept.isEmpty())
        needed.append(QStringLiteral("block"));
    if (!script.isEmpty())
        needed.append(QStringLiteral("script"));
    // A probe without it would measure the first step only, or refuse the script: it is never sent one.
    if (const auto parsed = TestScript::parse(script, nullptr); parsed && parsed->measuredSteps().size() > 1)
        needed.append(QStringLiteral("script-steps"));
    return needed;
}

QStringList TestSettings::describe() const
{
    QStringList lines;
    for (const HeaderSetting &header : headers) {
        lines.append(QStringLiteral("Header %1%2: %3")
                         .arg(header.host.isEmpty() ? QString() : u'[' + header.host + QStringLiteral("] "),
                             header.name, header.isPublic ? header.value : mask()));
    }
    for (const CookieSetting &cookie : cookies) {
        lines.append(QStringLiteral("Cookie %1=%2%3")
                         .arg(cookie.name, mask(),
                             cookie.domain.isEmpty() ? QString() : QStringLiteral("; domain=") + cookie.domain));
    }
    if (!userAgent.isEmpty())
        lines.append(QStringLiteral("User agent %1").arg(userAgent));
    if (basicAuth)
        lines.append(
            QStringLiteral("Basic auth %1 (password: secret %2)").arg(basicAuth->user, basicAuth->passwordSecret));
    for (const QString &pattern : block)
        lines.append(QStringLiteral("Block %1").arg(pattern));
    if (!blockDomains.isEmpty())
        lines.append(QStringLiteral("Block domains %1").arg(blockDomains.join(u' ')));
    if (!blockDomainsExcept.isEmpty())
        lines.append(QStringLiteral("Block domains except %1").arg(blockDomainsExcept.join(u' ')));
    if (const auto parsed = TestScript::parse(script, nullptr)) {
        QStringList measured;
        for (const qsizetype index : parsed->measuredSteps()) {
            const ScriptCommand &step = parsed->commands().at(index);
            measured.append(QStringLiteral("line %1 (%2 %3)").arg(step.line).arg(step.name(), step.args.value(0)));
        }
        lines.append(QStringLiteral("Script of %1 commands, measuring %2")
                         .arg(parsed->commands().size())
                         .arg(measured.join(QStringLiteral(", "))));
    }
    return lines;
}

void TestSettings::writeJson(QJsonObject &json, Secrets secrets) const
{
    const bool masked = secrets == Secrets::Masked;
    if (!headers.isEmpty()) {
        QJsonArray array;
        for (const HeaderSetting &header : headers) {
            QJsonObject item { { QStringLiteral("name"), header.name },
                { QStringLiteral("value"), masked && !header.isPublic ? mask() : header.value } };
            if (!header.host.isEmpty())
                item.insert(QStringLiteral("host"), header.host);
            if (header.isPublic)
                item.insert(QStringLiteral("public"), true);
            array.append(item);
        }
        json.insert(QStringLiteral("headers"), array);
    }
    if (!cookies.isEmpty()) {
        QJsonArray array;
        for (const CookieSetting &cookie : cookies) {
            QJsonObject item { { QStringLiteral("name"), cookie.name },
                { QStringLiteral("value"), masked ? mask() : cookie.value } };
            if (!cookie.domain.isEmpty())
                item.insert(QStringLiteral("domain"), cookie.domain);
            array.append(item);
        }
        json.insert(QStringLiteral("cookies"), array);
    }
    if (!userAgent.isEmpty())
        json.insert(QStringLiteral("userAgent"), userAgent);
    if (basicAuth) {
        json.insert(QStringLiteral("basicAuth"),
            QJsonObject { { QStringLiteral("user"), basicAuth->user },
                { QStringLiteral("passwordSecret"), basicAuth->passwordSecret } });
    }
    if (!block.isEmpty())
        json.insert(QStringLiteral("block"), stringsToJson(block));
    if (!blockDomains.isEmpty())
        json.insert(QStringLiteral("blockDomains"), stringsToJson(blockDomains));
    if (!blockDomainsExcept.isEmpty())
        json.insert(QStringLiteral("blockDomainsExcept"), stringsToJson(blockDomainsExcept));
    if (!script.isEmpty())
        json.insert(QStringLiteral("script"), script);
    if (!masked && !secretValues.isEmpty()) {
        QJsonObject values;
        for (auto it = secretValues.constBegin(); it != secretValues.constEnd(); ++it)
            values.insert(it.key(), it.value());
        json.insert(QStringLiteral("secretValues"), values);
    }
}

void TestSettings::readJson(JsonReader &r, TestSettings &s)
{
    using P = JsonReader::Presence;
    const auto itemReader
        = [&r](const QJsonValue &value, const QString &key) { return r.child(value.toObject(), key); };
    for (const QJsonValue &value : r.array(QStringLiteral("headers"), P::Optional, maxItems)) {
        JsonReader item = itemReader(value, QStringLiteral("headers"));
        QString text = item.string(QStringLiteral("name"), P::Required, 256) + QStringLiteral(": ")
            + item.string(QStringLiteral("value"), P::Required, maxValueLength);
        const QString host = item.string(QStringLiteral("host"), P::Optional, 255);
        if (!host.isEmpty())
            text.prepend(u'[' + host + QStringLiteral("] "));
        const bool isPublic = item.boolean(QStringLiteral("public"));
        r.adopt(item);
        QString why;
        if (const auto header = HeaderSetting::parse(text, &why); header && r.ok())
            s.headers.append(HeaderSetting { header->name, header->value, header->host, isPublic });
        else if (r.ok())
            r.fail(QStringLiteral("headers"), why);
    }
    for (const QJsonValue &value : r.array(QStringLiteral("cookies"), P::Optional, maxItems)) {
        JsonReader item = itemReader(value, QStringLiteral("cookies"));
        QString text = item.string(QStringLiteral("name"), P::Required, 256) + u'='
            + item.string(QStringLiteral("value"), P::Required, maxValueLength);
        const QString domain = item.string(QStringLiteral("domain"), P::Optional, 255);
        if (!domain.isEmpty())
            text += QStringLiteral("; domain=") + domain;
        r.adopt(item);
        QString why;
        if (const auto cookie = CookieSetting::parse(text, &why); cookie && r.ok())
            s.cookies.append(*cookie);
        else if (r.ok())
            r.fail(QStringLiteral("cookies"), why);
    }
    s.userAgent = r.string(QStringLiteral("userAgent"), P::Optional, 1024);
    if (r.has(QStringLiteral("basicAuth"))) {
        JsonReader auth = r.child(r.object(QStringLiteral("basicAuth")), QStringLiteral("basicAuth"));
        const QString text = auth.string(QStringLiteral("user"), P::Required, 256) + u':'
            + auth.string(QStringLiteral("passwordSecret"), P::Required, 64);
        r.adopt(auth);
        QString why;
        s.basicAuth = BasicAuthSetting::parse(text, &why);
        if (!s.basicAuth && r.ok())
            r.fail(QStringLiteral("basicAuth"), why);
    }
    s.block = stringsFromJson(r, QStringLiteral("block"), 1024);
    s.blockDomains = stringsFromJson(r, QStringLiteral("blockDomains"), 255);
    s.blockDomainsExcept = stringsFromJson(r, QStringLiteral("blockDomainsExcept"), 255);
    s.script = r.string(QStringLiteral("script"), P::Optional, TestScript::maxLength);
    if (QString why; !s.script.isEmpty() && !TestScript::parse(s.script, &why) && r.ok())
        r.fail(QStringLiteral("script"), why);
    const QJsonObject values = r.object(QStringLiteral("secretValues"));
    if (values.size() > maxItems)
        r.fail(QStringLiteral("secretValues"), QStringLiteral("at most %1 secrets").arg(maxItems));
    for (auto it = values.constBegin(); it != values.constEnd() && r.ok(); ++it) {
        if (!it.value().isString() || it.value().toString().size() > maxValueLength
            || secretReferences(secretReference(it.key())) != QStringList { it.key() })
            r.fail(QStringLiteral("secretValues"), QStringLiteral("each secret is a name and a string value"));
        else
            s.secretValues.insert(it.key(), it.value().toString());
    }
}
