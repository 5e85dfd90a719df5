#include "message.h"

#include "model/jsonreader.h"
#include "model/testscript.h"
#include "model/warnings.h"

#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <array>
#include <utility>

namespace {

using P = JsonReader::Presence;

constexpr double maxBrowserStartMs = 3600e3;

bool isAsciiLetterOrDigit(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
}

// Error codes are stable lower-case words joined by '-', like "frame-too-large".
bool isErrorCode(QStringView text)
{
    if (text.isEmpty() || text.size() > ProtocolLimits::maxErrorCodeLength)
        return false;
    return std::all_of(text.begin(), text.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-';
    });
}

QString identifier(JsonReader &r, const QString &key, P presence = P::Required)
{
    const QString text = r.string(key, presence, ProtocolLimits::maxIdentifierLength);
    if (r.ok() && r.has(key) && !ProtocolLimits::isIdentifier(text))
        r.fail(key, QStringLiteral("must be 1–64 characters of A–Z, a–z, 0–9, '_' and '-'"));
    return text;
}

QString nonEmptyString(JsonReader &r, const QString &key, qsizetype maxLength)
{
    const QString text = r.string(key, P::Required, maxLength);
    if (r.ok() && text.isEmpty())
        r.fail(key, QStringLiteral("must not be empty"));
    return text;
}

// The model decoders report "path: why" relative to their own object; splice that path under the key the object
// sits at, so the error reads "request.phases.dns: expected a number" and names the field in this frame.
void failNested(JsonReader &r, const QString &key, const QString &nested)
{
    const qsizetype colon = nested.indexOf(u": ");
    if (colon > 0)
        r.fail(key + u'.' + nested.left(colon), nested.mid(colon + 2));
    else
        r.fail(key, nested);
}

template<typename T> std::optional<T> finish(const JsonReader &r, T value, QString *error)
{
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return value;
}

VersionRange readRange(JsonReader &r, const QString &key)
{
    JsonReader c = r.child(r.object(key, P::Required), key);
    VersionRange range;
    range.min
        = static_cast<int>(c.integer(QStringLiteral("min"), P::Required, 1, VersionRange::maxWireVersion).value_or(1));
    range.max
        = static_cast<int>(c.integer(QStringLiteral("max"), P::Required, 1, VersionRange::maxWireVersion).value_or(1));
    if (c.ok() && range.min > range.max)
        c.fail(QStringLiteral("max"), QStringLiteral("is below min"));
    r.adopt(c);
    return range;
}

RunView readView(JsonReader &r)
{
    const QString text = r.string(QStringLiteral("view"), P::Required, 16);
    const auto view = runViewFromName(text);
    if (!view && r.ok())
        r.fail(QStringLiteral("view"), QStringLiteral("unknown view \"%1\" (first or repeat)").arg(text));
    return view.value_or(RunView::First);
}

// `step` (RequestMessage::step) after `view`: 1 when absent; a later step is a first view.
int readStep(JsonReader &r, RunView view)
{
    const auto step = r.integer(QStringLiteral("step"), P::Optional, 1, TestScript::maxSteps);
    if (r.ok() && step && *step > 1 && view == RunView::Repeat)
        r.fail(QStringLiteral("step"), QStringLiteral("a script's step %1 has no repeat view").arg(*step));
    return static_cast<int>(step.value_or(1));
}

// Only above 1, so a frame of a run without steps is exactly what it was before them.
void writeStep(QJsonObject &json, int step)
{
    if (step > 1)
        json.insert(QStringLiteral("step"), step);
}

const QByteArray &pngSignature()
{
    static const QByteArray signature("\x89PNG\r\n\x1a\n", 8);
    return signature;
}

template<std::size_t I = 0>
std::optional<Message> decodeAlternative(QStringView type, const QJsonObject &body, QString *error)
{
    if constexpr (I == std::variant_size_v<Message>) {
        if (error)
            *error = QStringLiteral("unknown message type \"%1\"").arg(type);
        return std::nullopt;
    } else {
        using T = std::variant_alternative_t<I, Message>;
        if (type != T::typeName)
            return decodeAlternative<I + 1>(type, body, error);
        QString why;
        if (auto message = T::fromJson(body, &why))
            return Message(std::in_place_index<I>, std::move(*message));
        if (error)
            *error = T::typeName.toString() + u"." + why;
        return std::nullopt;
    }
}

} // namespace

bool ProtocolLimits::isIdentifier(QStringView text)
{
    if (text.isEmpty() || text.size() > maxIdentifierLength)
        return false;
    return std::all_of(text.begin(), text.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return isAsciiLetterOrDigit(u) || u == u'_' || u == u'-';
    });
}

QString HelloMessage::roleName(Role role)
{
    return role == HelloMessage::Role::Probe ? QStringLiteral("probe") : QStringLiteral("client");
}

// auth ----------------------------------------------------------------------------------------------------------

QJsonObject AuthMessage::toJson() const
{
    return QJsonObject { { QStringLiteral("token"), token } };
}

std::optional<AuthMessage> AuthMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    AuthMessage m;
    m.token = nonEmptyString(r, QStringLiteral("token"), ProtocolLimits::maxTokenLength);
    return finish(r, std::move(m), error);
}

// hello ---------------------------------------------------------------------------------------------------------

QJsonObject HelloMessage::toJson() const
{
    QJsonObject json;
    json.insert(QStringLiteral("role"), roleName(role));
    json.insert(QStringLiteral("supported"),
        QJsonObject { { QStringLiteral("min"), supported.min }, { QStringLiteral("max"), supported.max } });
    if (!software.isEmpty())
        json.insert(QStringLiteral("software"), software);
    if (!version.isEmpty())
        json.insert(QStringLiteral("version"), version);
    if (role == Role::Probe) {
        if (chosen)
            json.insert(QStringLiteral("chosen"), *chosen);
        json.insert(QStringLiteral("probeId"), probeId);
        json.insert(QStringLiteral("region"), region);
        json.insert(QStringLiteral("capacity"), capacity);
        if (!browserVersion.isEmpty())
            json.insert(QStringLiteral("browserVersion"), browserVersion);
        if (cpuBenchmarkIndex)
            json.insert(QStringLiteral("cpuBenchmarkIndex"), *cpuBenchmarkIndex);
    }
    if (!capabilities.isEmpty())
        json.insert(QStringLiteral("capabilities"), QJsonArray::fromStringList(capabilities));
    return json;
}

std::optional<HelloMessage> HelloMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    HelloMessage m;
    const QString role = r.string(QStringLiteral("role"), P::Required, 16);
    if (role == u"probe")
        m.role = Role::Probe;
    else if (role == u"client")
        m.role = Role::Client;
    else if (r.ok())
        r.fail(QStringLiteral("role"), QStringLiteral("unknown role \"%1\" (client or probe)").arg(role));
    m.supported = readRange(r, QStringLiteral("supported"));
    m.software = r.string(QStringLiteral("software"), P::Optional, ProtocolLimits::maxVersionLength);
    m.version = r.string(QStringLiteral("version"), P::Optional, ProtocolLimits::maxVersionLength);
    // A client's hello says only what it speaks; probe fields in it are ignored like any unknown field, so a
    // decoded client hello always equals one built in code.
    if (m.role == Role::Probe) {
        m.chosen = static_cast<int>(
            r.integer(QStringLiteral("chosen"), P::Required, 1, VersionRange::maxWireVersion).value_or(1));
        if (r.ok() && !m.supported.contains(*m.chosen))
            r.fail(QStringLiteral("chosen"), QStringLiteral("%1 is not in the probe's own range").arg(*m.chosen));
        m.probeId = identifier(r, QStringLiteral("probeId"));
        m.region = identifier(r, QStringLiteral("region"));
        m.capacity = static_cast<int>(
            r.integer(QStringLiteral("capacity"), P::Required, 1, ProtocolLimits::maxCapacity).value_or(0));
        m.browserVersion
            = r.string(QStringLiteral("browserVersion"), P::Optional, ProtocolLimits::maxBrowserVersionLength);
        m.cpuBenchmarkIndex
            = r.number(QStringLiteral("cpuBenchmarkIndex"), P::Optional, 0, LoadOptions::maxCpuBenchmarkIndex);
    }
    // Both roles: a probe's say what it honours and sends, a client's what it reads.
    const QJsonArray capabilities
        = r.array(QStringLiteral("capabilities"), P::Optional, ProtocolLimits::maxCapabilities);
    for (const QJsonValue &capability : capabilities) {
        if (!capability.isString() || !ProtocolLimits::isIdentifier(capability.toString())) {
            if (r.ok())
                r.fail(QStringLiteral("capabilities"), QStringLiteral("each capability is an identifier"));
            break;
        }
        m.capabilities.append(capability.toString());
    }
    return finish(r, std::move(m), error);
}

// run -----------------------------------------------------------------------------------------------------------

QJsonObject RunMessage::toJson() const
{
    return QJsonObject {
        { QStringLiteral("runId"), runId },
        { QStringLiteral("url"), url },
        { QStringLiteral("options"), options.toJson(TestSettings::Secrets::Included) },
    };
}

std::optional<RunMessage> RunMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    RunMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    m.url = nonEmptyString(r, QStringLiteral("url"), ProtocolLimits::maxUrlLength);
    if (r.has(QStringLiteral("options"))) {
        QString nested;
        if (auto options = LoadOptions::fromJson(r.object(QStringLiteral("options")), &nested))
            m.options = *options;
        else
            failNested(r, QStringLiteral("options"), nested);
    }
    return finish(r, std::move(m), error);
}

// cancel --------------------------------------------------------------------------------------------------------

QJsonObject CancelMessage::toJson() const
{
    return QJsonObject { { QStringLiteral("runId"), runId } };
}

std::optional<CancelMessage> CancelMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    CancelMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    return finish(r, std::move(m), error);
}

// status --------------------------------------------------------------------------------------------------------

QJsonObject StatusMessage::toJson() const
{
    QJsonObject json { { QStringLiteral("runId"), runId }, { QStringLiteral("state"), runStateName(state) } };
    if (!detail.isEmpty())
        json.insert(QStringLiteral("detail"), detail);
    return json;
}

std::optional<StatusMessage> StatusMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    StatusMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    const QString state = r.string(QStringLiteral("state"), P::Required, 32);
    if (auto parsed = runStateFromName(state))
        m.state = *parsed;
    else if (r.ok())
        r.fail(QStringLiteral("state"), QStringLiteral("unknown state \"%1\"").arg(state));
    m.detail = r.string(QStringLiteral("detail"), P::Optional, ProtocolLimits::maxDetailLength);
    return finish(r, std::move(m), error);
}

// request -------------------------------------------------------------------------------------------------------

QJsonObject RequestMessage::toJson() const
{
    QJsonObject json {
        { QStringLiteral("runId"), runId },
        { QStringLiteral("view"), runViewName(view) },
        { QStringLiteral("request"), request.toJson() },
    };
    writeStep(json, step);
    return json;
}

std::optional<RequestMessage> RequestMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    RequestMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    m.view = readView(r);
    m.step = readStep(r, m.view);
    QString nested;
    if (auto request = RequestTiming::fromJson(r.object(QStringLiteral("request"), P::Required), &nested))
        m.request = std::move(*request);
    else
        failNested(r, QStringLiteral("request"), nested);
    return finish(r, std::move(m), error);
}

// started -------------------------------------------------------------------------------------------------------

QJsonObject StartedMessage::toJson() const
{
    QJsonArray list;
    for (const RequestTiming &request : requests)
        list.append(request.toJson());
    QJsonObject json {
        { QStringLiteral("runId"), runId },
        { QStringLiteral("view"), runViewName(view) },
        { QStringLiteral("requests"), list },
    };
    writeStep(json, step);
    return json;
}

std::optional<StartedMessage> StartedMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    StartedMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    m.view = readView(r);
    m.step = readStep(r, m.view);
    const QJsonArray list = r.array(QStringLiteral("requests"), P::Required, maxRequests);
    if (r.ok() && list.isEmpty())
        r.fail(QStringLiteral("requests"), QStringLiteral("must not be empty"));
    for (qsizetype i = 0; r.ok() && i < list.size(); ++i) {
        const QString key = QStringLiteral("requests[%1]").arg(i);
        if (!list.at(i).isObject()) {
            r.fail(key, QStringLiteral("expected an object"));
            break;
        }
        QString nested;
        if (auto request = RequestTiming::fromJson(list.at(i).toObject(), &nested))
            m.requests.append(std::move(*request));
        else
            failNested(r, key, nested);
    }
    return finish(r, std::move(m), error);
}

// metrics -------------------------------------------------------------------------------------------------------

QJsonObject MetricsMessage::toJson() const
{
    QJsonObject json {
        { QStringLiteral("runId"), runId },
        { QStringLiteral("view"), runViewName(view) },
        { QStringLiteral("metrics"), metrics.toJson() },
    };
    writeStep(json, step);
    if (!stepName.isEmpty())
        json.insert(QStringLiteral("stepName"), stepName);
    if (provisional)
        json.insert(QStringLiteral("provisional"), true);
    if (!finalUrl.isEmpty())
        json.insert(QStringLiteral("finalUrl"), finalUrl);
    if (!screenshotPng.isEmpty())
        json.insert(QStringLiteral("screenshotPng"), QString::fromLatin1(screenshotPng.toBase64()));
    if (!warnings.isEmpty())
        json.insert(QStringLiteral("warnings"), Warnings::toJson(warnings));
    if (!filmstrip.isEmpty())
        json.insert(QStringLiteral("filmstrip"), filmstrip.toJson());
    if (!longTasks.isEmpty())
        json.insert(QStringLiteral("longTasks"), LongTask::toJson(longTasks));
    return json;
}

std::optional<MetricsMessage> MetricsMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    MetricsMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    m.view = readView(r);
    m.step = readStep(r, m.view);
    m.stepName = r.string(QStringLiteral("stepName"), P::Optional, TestScript::maxStepNameLength);
    QString nested;
    if (auto metrics = PageMetrics::fromJson(r.object(QStringLiteral("metrics"), P::Required), &nested))
        m.metrics = *metrics;
    else
        failNested(r, QStringLiteral("metrics"), nested);
    m.provisional = r.boolean(QStringLiteral("provisional"));
    m.finalUrl = r.string(QStringLiteral("finalUrl"), P::Optional, ProtocolLimits::maxUrlLength);
    const QString screenshot
        = r.string(QStringLiteral("screenshotPng"), P::Optional, ProtocolLimits::maxScreenshotBase64Length);
    if (!screenshot.isEmpty() && r.ok()) {
        // toLatin1 turns anything outside Latin-1 into '?', which the strict base64 decoder then refuses.
        auto decoded = QByteArray::fromBase64Encoding(screenshot.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            r.fail(QStringLiteral("screenshotPng"), QStringLiteral("not base64"));
        else if (!decoded.decoded.startsWith(pngSignature()))
            r.fail(QStringLiteral("screenshotPng"), QStringLiteral("not a PNG image"));
        else
            m.screenshotPng = decoded.decoded;
    }
    m.warnings = Warnings::fromJson(r, QStringLiteral("warnings"));
    if (r.has(QStringLiteral("filmstrip")) && r.ok()) {
        if (auto strip
            = Filmstrip::fromJson(r.array(QStringLiteral("filmstrip"), P::Optional, Filmstrip::maxFrames), &nested))
            m.filmstrip = std::move(*strip);
        else if (r.ok())
            r.fail(QStringLiteral("filmstrip"), nested);
    }
    if (r.has(QStringLiteral("longTasks")) && r.ok()) {
        if (auto tasks
            = LongTask::fromJson(r.array(QStringLiteral("longTasks"), P::Optional, LongTask::maxPerView + 1), &nested))
            m.longTasks = std::move(*tasks);
        else if (r.ok())
            r.fail(QStringLiteral("longTasks"), nested);
    }
    return finish(r, std::move(m), error);
}

// done ----------------------------------------------------------------------------------------------------------

QJsonObject DoneMessage::toJson() const
{
    QJsonObject json { { QStringLiteral("runId"), runId }, { QStringLiteral("ok"), ok } };
    if (error)
        json.insert(QStringLiteral("error"), error->toJson());
    if (browserStartMs)
        json.insert(QStringLiteral("browserStartMs"), *browserStartMs);
    if (!warnings.isEmpty())
        json.insert(QStringLiteral("warnings"), Warnings::toJson(warnings));
    if (cpuBenchmarkIndex)
        json.insert(QStringLiteral("cpuBenchmarkIndex"), *cpuBenchmarkIndex);
    if (cpuSlowdownRate)
        json.insert(QStringLiteral("cpuSlowdownRate"), *cpuSlowdownRate);
    return json;
}

std::optional<DoneMessage> DoneMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    DoneMessage m;
    m.runId = identifier(r, QStringLiteral("runId"));
    if (!r.has(QStringLiteral("ok")))
        r.fail(QStringLiteral("ok"), QStringLiteral("is required"));
    m.ok = r.boolean(QStringLiteral("ok"));
    if (r.has(QStringLiteral("error"))) {
        QString nested;
        if (auto loadError = LoadError::fromJson(r.object(QStringLiteral("error")), &nested))
            m.error = *loadError;
        else
            failNested(r, QStringLiteral("error"), nested);
    }
    // One source of truth for the app: a run either succeeded or says why not.
    if (r.ok() && !m.ok && !m.error)
        r.fail(QStringLiteral("error"), QStringLiteral("is required when ok is false"));
    if (r.ok() && m.ok && m.error)
        r.fail(QStringLiteral("error"), QStringLiteral("must be absent when ok is true"));
    m.browserStartMs = r.number(QStringLiteral("browserStartMs"), P::Optional, 0, maxBrowserStartMs);
    m.warnings = Warnings::fromJson(r, QStringLiteral("warnings"));
    m.cpuBenchmarkIndex
        = r.number(QStringLiteral("cpuBenchmarkIndex"), P::Optional, 0, LoadOptions::maxCpuBenchmarkIndex);
    m.cpuSlowdownRate = r.number(QStringLiteral("cpuSlowdownRate"), P::Optional, 1, LoadOptions::maxCpuSlowdown);
    return finish(r, std::move(m), error);
}

// load ----------------------------------------------------------------------------------------------------------

QJsonObject LoadMessage::toJson() const
{
    return QJsonObject {
        { QStringLiteral("active"), active },
        { QStringLiteral("capacity"), capacity },
        { QStringLiteral("queued"), queued },
    };
}

std::optional<LoadMessage> LoadMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    LoadMessage m;
    // active is not bounded by capacity: a probe that lowers its capacity to drain still finishes what it runs.
    m.active = static_cast<int>(
        r.integer(QStringLiteral("active"), P::Required, 0, ProtocolLimits::maxCapacity).value_or(0));
    m.capacity = static_cast<int>(
        r.integer(QStringLiteral("capacity"), P::Required, 0, ProtocolLimits::maxCapacity).value_or(0));
    m.queued
        = static_cast<int>(r.integer(QStringLiteral("queued"), P::Required, 0, ProtocolLimits::maxQueued).value_or(0));
    return finish(r, std::move(m), error);
}

// error ---------------------------------------------------------------------------------------------------------

ErrorMessage ErrorMessage::from(const ProtocolError &error, const QString &runId)
{
    return { error.code, error.message.left(ProtocolLimits::maxErrorMessageLength), runId };
}

QJsonObject ErrorMessage::toJson() const
{
    QJsonObject json { { QStringLiteral("code"), code }, { QStringLiteral("message"), message } };
    if (!runId.isEmpty())
        json.insert(QStringLiteral("runId"), runId);
    return json;
}

std::optional<ErrorMessage> ErrorMessage::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    ErrorMessage m;
    m.code = r.string(QStringLiteral("code"), P::Required, ProtocolLimits::maxErrorCodeLength);
    if (r.ok() && !isErrorCode(m.code))
        r.fail(QStringLiteral("code"), QStringLiteral("must be lower-case letters, digits and '-'"));
    m.message = r.string(QStringLiteral("message"), P::Required, ProtocolLimits::maxErrorMessageLength);
    m.runId = identifier(r, QStringLiteral("runId"), P::Optional);
    return finish(r, std::move(m), error);
}

// Message -------------------------------------------------------------------------------------------------------

QStringList knownMessageTypes()
{
    return []<std::size_t... I>(std::index_sequence<I...>)
    {
        return QStringList { std::variant_alternative_t<I, Message>::typeName.toString()... };
    }
    (std::make_index_sequence<std::variant_size_v<Message>> {});
}

bool isKnownMessageType(QStringView type)
{
    return []<std::size_t... I>(QStringView t, std::index_sequence<I...>)
    {
        return ((t == std::variant_alternative_t<I, Message>::typeName) || ...);
    }
    (type, std::make_index_sequence<std::variant_size_v<Message>> {});
}

QString messageType(const Message &message)
{
    return std::visit([](const auto &m) { return m.typeName.toString(); }, message);
}

QJsonObject messageToJson(const Message &message)
{
    return std::visit([](const auto &m) { return m.toJson(); }, message);
}

std::optional<Message> messageFromJson(QStringView type, const QJsonObject &body, QString *error)
{
    return decodeAlternative(type, body, error);
}

QString describe(const Message &message)
{
    // Long enough for any message but a screenshot; a test failure or log line stays readable.
    constexpr qsizetype maxLength = 4000;
    const QString json = QString::fromUtf8(QJsonDocument(messageToJson(message)).toJson(QJsonDocument::Compact));
    QString text = messageType(message) + u' ' + json.left(maxLength);
    if (json.size() > maxLength)
        text += u'…';
    return text;
}

QDebug operator<<(QDebug debug, const Message &message)
{
    const QDebugStateSaver saver(debug);
    debug.noquote().nospace() << describe(message);
    return debug;
}
