#pragma once

#include "model/filmstrip.h"
#include "model/loaderror.h"
#include "model/loadoptions.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "model/runresult.h"
#include "model/runstate.h"
#include "model/runview.h"
#include "versionrange.h"

#include <QByteArray>
#include <QDebug>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>
#include <variant>

// The messages of protocol v1 (PROTOCOL.md). Each is a plain value: toJson() writes the fields of the frame's body
// (FrameCodec adds "v" and "type"), fromJson() reads them back from untrusted JSON, checking types, ranges and
// lengths, and names the offending field in its error. Unknown fields are ignored so newer peers can add some.

// Limits shared by several messages; PROTOCOL.md states each one.
struct ProtocolLimits
{
    static constexpr qsizetype maxIdentifierLength = 64; // run id, probe id, region
    static constexpr qsizetype maxTokenLength = 4096;
    static constexpr qsizetype maxUrlLength = 64 * 1024;
    static constexpr qsizetype maxVersionLength = 64;
    static constexpr qsizetype maxBrowserVersionLength = 256;
    static constexpr qsizetype maxDetailLength = 1024;
    static constexpr qsizetype maxErrorMessageLength = 4096;
    static constexpr qsizetype maxErrorCodeLength = 64;
    static constexpr qsizetype maxScreenshotBase64Length = 12 * 1024 * 1024;
    static constexpr int maxCapacity = 1024;
    static constexpr qsizetype maxCapabilities = 64;
    static constexpr int maxQueued = 1'000'000;
    // Handshake policy of a probe (PROTOCOL.md §3): `auth` within this long of the connection opening, else
    // close 4002.
    static constexpr int authTimeoutMs = 10'000;

    // Identifiers travel into logs, file names and SQL: 1–64 of A–Z a–z 0–9 _ -.
    static bool isIdentifier(QStringView text);
};

// app → probe, the first frame: proves the client may use this probe.
struct AuthMessage
{
    static constexpr QStringView typeName = u"auth";
    QString token;

    QJsonObject toJson() const;
    static std::optional<AuthMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const AuthMessage &, const AuthMessage &) = default;
};

// Both ways: the client announces the versions it speaks, the probe answers with the one it chose and what it is.
struct HelloMessage
{
    static constexpr QStringView typeName = u"hello";
    enum class Role { Client, Probe };
    static QString roleName(Role role); // "client", "probe"

    Role role = Role::Client;
    VersionRange supported = VersionRange::supported();
    QString software; // "worldspeed", "worldspeed-probe", or another implementation's name
    QString version; // the sender's software version, e.g. "0.1.0"
    // Probe only; a client's hello leaves these empty and they are neither written nor read for it.
    std::optional<int> chosen; // the negotiated protocol version; required from a probe
    QString probeId;
    QString region;
    int capacity = 0; // concurrent runs
    QString browserVersion; // empty until the browser has been started once
    // What the sender does beyond protocol v1. A probe's: the run options it honours (LoadOptions::capabilities())
    // and the frames it can send (startedCapability); a probe that predates them sends none, and a client sends it
    // no run that needs one. A client's: the frames it reads beyond v1, which a probe sends it only then.
    QStringList capabilities;
    std::optional<double> cpuBenchmarkIndex; // the probe's CPU speed (RunResult::cpuBenchmarkIndex)
    // `started` frames: a probe sends them only to a client whose hello lists this, and lists it in its own.
    static constexpr QStringView startedCapability = u"started";

    QJsonObject toJson() const;
    static std::optional<HelloMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const HelloMessage &, const HelloMessage &) = default;
};

// app → probe: load a URL.
struct RunMessage
{
    static constexpr QStringView typeName = u"run";
    QString runId;
    QString url; // not trusted: the probe's URL policy checks it before loading
    LoadOptions options;

    QJsonObject toJson() const;
    static std::optional<RunMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RunMessage &, const RunMessage &) = default;
};

// app → probe: stop a run; the probe still closes it with `done`.
struct CancelMessage
{
    static constexpr QStringView typeName = u"cancel";
    QString runId;

    QJsonObject toJson() const;
    static std::optional<CancelMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const CancelMessage &, const CancelMessage &) = default;
};

// probe → app: a run moved on.
struct StatusMessage
{
    static constexpr QStringView typeName = u"status";
    QString runId;
    RunState state = RunState::Queued;
    QString detail; // optional, for people ("waiting for 2 runs", the error text)

    QJsonObject toJson() const;
    static std::optional<StatusMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const StatusMessage &, const StatusMessage &) = default;
};

// probe → app: one request has ended (live waterfall).
struct RequestMessage
{
    static constexpr QStringView typeName = u"request";
    QString runId;
    RunView view = RunView::First;
    RequestTiming request;
    // The script's measured step the request is of (1 … TestScript::maxSteps, numbered from 1 as WebPageTest does).
    // Step 1 is every run's page, so `step` is on the wire only above 1 and an older peer reads today's frames
    // unchanged; a later step has no repeat view (a script has none). The same in `started` and `metrics`.
    int step = 1;

    QJsonObject toJson() const;
    static std::optional<RequestMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RequestMessage &, const RequestMessage &) = default;
};

// probe → app: requests that have started and not ended yet (the live waterfall's pending rows), batched. Each
// carries what is known at its start (id, URL, startMs, method, resourceType, priority); its `request` frame, with the
// same id, follows when it ends and replaces it. Sent only to a client that asked for them in its hello.
struct StartedMessage
{
    static constexpr QStringView typeName = u"started";
    static constexpr qsizetype maxRequests = 100; // per frame: 100 URLs of 64 KiB stay far below a client's limit
    QString runId;
    RunView view = RunView::First;
    QList<RequestTiming> requests; // 1 … maxRequests
    int step = 1; // RequestMessage::step

    QJsonObject toJson() const;
    static std::optional<StartedMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const StartedMessage &, const StartedMessage &) = default;
};

// probe → app: the page-level numbers of one view. A provisional one comes right after the view's load event (what
// the page knew then); the final one when the view has ended, and only the final one is the view's result.
struct MetricsMessage
{
    static constexpr QStringView typeName = u"metrics";
    QString runId;
    RunView view = RunView::First;
    PageMetrics metrics;
    QString finalUrl; // after redirects; optional
    QByteArray screenshotPng; // optional; must be a PNG
    QStringList warnings; // optional: what the probe cut short or refused (ViewResult::warnings)
    bool provisional = false; // on the wire only when true, so an older client reads a final frame as before
    Filmstrip filmstrip; // optional: JPEG thumbnails with their times, within Filmstrip's limits
    QList<LongTask> longTasks; // optional: the view's main-thread long tasks (ViewResult::longTasks)
    int step = 1; // RequestMessage::step
    QString stepName; // optional: the script's setEventName for the step, ≤ TestScript::maxStepNameLength

    QJsonObject toJson() const;
    static std::optional<MetricsMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const MetricsMessage &, const MetricsMessage &) = default;
};

// probe → app: the run is over; nothing more comes for this run id.
struct DoneMessage
{
    static constexpr QStringView typeName = u"done";
    QString runId;
    bool ok = true;
    std::optional<LoadError> error; // present exactly when !ok
    std::optional<double> browserStartMs; // present when this run had to start the browser
    QStringList warnings; // what the probe cut or left out of this run to stay within its limits
    std::optional<double> cpuBenchmarkIndex; // the probe's CPU speed (RunResult::cpuBenchmarkIndex)
    std::optional<double> cpuSlowdownRate; // the CPU throttling rate the run had (RunResult::cpuSlowdownRate)

    QJsonObject toJson() const;
    static std::optional<DoneMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const DoneMessage &, const DoneMessage &) = default;
};

// probe → app: how busy the probe is, for the app's region pools.
struct LoadMessage
{
    static constexpr QStringView typeName = u"load";
    int active = 0;
    int capacity = 0; // 0 while the probe drains before stopping
    int queued = 0;

    QJsonObject toJson() const;
    static std::optional<LoadMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const LoadMessage &, const LoadMessage &) = default;
};

// Both ways: something went wrong with a frame or a run. `busy` is an error with code "busy" and the run id.
struct ErrorMessage
{
    static constexpr QStringView typeName = u"error";
    QString code; // ProtocolError's codes, lower-case words joined by '-'; unknown codes must be accepted
    QString message;
    QString runId; // optional

    static ErrorMessage from(const ProtocolError &error, const QString &runId = {});
    QJsonObject toJson() const;
    static std::optional<ErrorMessage> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const ErrorMessage &, const ErrorMessage &) = default;
};

using Message = std::variant<AuthMessage, HelloMessage, RunMessage, CancelMessage, StatusMessage, RequestMessage,
    MetricsMessage, DoneMessage, LoadMessage, ErrorMessage, StartedMessage>;

// The wire type names this version knows, in the variant's order.
QStringList knownMessageTypes();
bool isKnownMessageType(QStringView type);
QString messageType(const Message &message);
// The body of the frame, without "v" and "type".
QJsonObject messageToJson(const Message &message);
// Reads the body of a frame of a known type; nullopt with *error set for an unknown type or an invalid body.
std::optional<Message> messageFromJson(QStringView type, const QJsonObject &body, QString *error);
// `type {compact json}`, for logs and test failures.
QString describe(const Message &message);
QDebug operator<<(QDebug debug, const Message &message);
