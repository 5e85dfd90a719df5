#pragma once

// Shared by the libFuzzer target, the bounded smoke test and the protocol's tests (header only, so no source file is
// compiled twice): the property every frame must have, and one sample of each message shape.

#include "protocol/codec.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <limits>
#include <utility>

// Decodes arbitrary bytes. Whatever they are, the result must be exactly one of a message or an error; a message
// must survive encode → decode unchanged, and encoding it again must give the same bytes. Returns what went wrong,
// or an empty string.
inline QString checkFrame(const FrameCodec &codec, const QByteArray &bytes)
{
    const DecodedFrame first = codec.decode(QByteArrayView(bytes));
    if (first.ok() == !first.error.isNull())
        return QStringLiteral("a decode gave both or neither of a message and an error: ") + describe(first);
    if (!first.ok())
        return first.error.message.isEmpty() ? QStringLiteral("an error without a message: ") + first.error.code
                                             : QString();

    // The re-encoded frame may be longer than the input (defaults written out, "3gfast" → "3G Fast"), so read it
    // back without a size limit; the codec's own version rule still applies.
    FrameCodec reader(std::numeric_limits<qsizetype>::max());
    if (const auto version = codec.negotiatedVersion())
        reader.setNegotiatedVersion(*version);
    const QByteArray again = codec.encode(*first.message);
    const DecodedFrame second = reader.decode(QByteArrayView(again));
    if (!second.ok())
        return QStringLiteral("the re-encoded frame does not decode: ") + describe(second.error);
    if (*second.message != *first.message) {
        return QStringLiteral("the round trip changed the message: ") + describe(*first.message) + QStringLiteral(" → ")
            + describe(*second.message);
    }
    if (codec.encode(*second.message) != again)
        return QStringLiteral("encoding is not stable: ") + QString::fromUtf8(again);
    return {};
}

// One message of every shape: each type, both hello roles, optional parts present and absent.
inline QList<std::pair<QByteArray, Message>> sampleMessages()
{
    QList<std::pair<QByteArray, Message>> samples;
    samples.append({ "auth", AuthMessage { QStringLiteral("s3cr3t-token_with.any~chars") } });

    HelloMessage client;
    client.software = QStringLiteral("worldspeed");
    client.version = QStringLiteral("0.1.0");
    samples.append({ "hello client", client });
    samples.append({ "hello client, bare", HelloMessage {} });

    HelloMessage probe;
    probe.role = HelloMessage::Role::Probe;
    probe.software = QStringLiteral("worldspeed-probe");
    probe.version = QStringLiteral("0.1.0");
    probe.chosen = 1;
    probe.probeId = QStringLiteral("fra-7f3a");
    probe.region = QStringLiteral("fra");
    probe.capacity = 4;
    probe.browserVersion = QStringLiteral("Chrome/120.0.6099.224");
    probe.capabilities = LoadOptions::capabilities();
    probe.cpuBenchmarkIndex = 612.4;
    samples.append({ "hello probe", probe });
    HelloMessage coldProbe = probe;
    coldProbe.browserVersion.clear();
    coldProbe.software.clear();
    coldProbe.version.clear();
    samples.append({ "hello probe, browser not started", coldProbe });

    samples.append(
        { "run, default options", RunMessage { QStringLiteral("r1"), QStringLiteral("https://example.com/"), {} } });
    samples.append({ "run, all options",
        RunMessage { QStringLiteral("run_2024-01-01_0001"), QStringLiteral("https://例え.jp/パス?q=1&r=ü"),
            LoadOptions { 30'000, QStringLiteral("3G Fast"), true, true, QStringLiteral("moto-g-power"), 6,
                LoadOptions::FinishAt::Load, {}, true, true } } });
    samples.append({ "cancel", CancelMessage { QStringLiteral("r1") } });

    samples.append(
        { "status queued", StatusMessage { QStringLiteral("r1"), RunState::Queued, QStringLiteral("2 ahead") } });
    samples.append(
        { "status starting-browser", StatusMessage { QStringLiteral("r1"), RunState::StartingBrowser, {} } });
    samples.append({ "status loading", StatusMessage { QStringLiteral("r1"), RunState::Loading, {} } });
    samples.append({ "status complete", StatusMessage { QStringLiteral("r1"), RunState::Complete, {} } });
    samples.append({ "status error",
        StatusMessage { QStringLiteral("r1"), RunState::Error, QStringLiteral("net::ERR_NAME_NOT_RESOLVED") } });

    RequestTiming timing;
    timing.id = QStringLiteral("1000.12");
    timing.url = QStringLiteral("https://example.com/app.css");
    timing.method = QStringLiteral("GET");
    timing.resourceType = QStringLiteral("Stylesheet");
    timing.status = 200;
    timing.protocol = QStringLiteral("h2");
    timing.remoteIp = QStringLiteral("192.0.2.10");
    timing.remotePort = 443;
    timing.mimeType = QStringLiteral("text/css");
    timing.encodedBytes = 2048;
    timing.headerBytes = 200;
    timing.decodedBytes = 8192;
    timing.startMs = 35.5;
    timing.durationMs = 40.25;
    timing.phases.blocked = 0.5;
    timing.phases.dns = 3;
    timing.phases.connect = 9.75;
    timing.phases.ssl = 12;
    timing.phases.send = 0.25;
    timing.phases.wait = 10;
    timing.phases.receive = 4.75;
    timing.outcome = RequestTiming::Outcome::Finished;
    timing.responseHeaders = { { QStringLiteral("content-type"), QStringLiteral("text/css") } };
    samples.append({ "request first view", RequestMessage { QStringLiteral("r1"), RunView::First, timing } });
    RequestTiming failed;
    failed.id = QStringLiteral("9.1");
    failed.url = QStringLiteral("https://cdn.example.net/x.js");
    failed.startMs = 80;
    failed.durationMs = 1;
    failed.outcome = RequestTiming::Outcome::Failed;
    failed.failureText = QStringLiteral("net::ERR_CONNECTION_REFUSED");
    samples.append({ "request repeat view, failed", RequestMessage { QStringLiteral("r1"), RunView::Repeat, failed } });
    samples.append(
        { "request of a script's step 2", RequestMessage { QStringLiteral("r1"), RunView::First, timing, 2 } });

    StartedMessage started { QStringLiteral("r1"), RunView::First, {} };
    RequestTiming pending;
    pending.id = QStringLiteral("1000.13");
    pending.url = QStringLiteral("https://example.com/hero.jpg");
    pending.method = QStringLiteral("GET");
    pending.resourceType = QStringLiteral("Image");
    pending.priority = QStringLiteral("Low");
    pending.startMs = 120.5;
    started.requests = { pending, timing };
    samples.append({ "started", started });
    StartedMessage laterStarted = started;
    laterStarted.step = 3;
    samples.append({ "started, a script's step 3", laterStarted });

    HelloMessage reading;
    reading.capabilities = QStringList { QStringLiteral("started") };
    samples.append({ "hello client, reads started", reading });

    MetricsMessage bare;
    bare.runId = QStringLiteral("r1");
    samples.append({ "metrics, nothing observed", bare });
    MetricsMessage full;
    full.runId = QStringLiteral("r1");
    full.view = RunView::Repeat;
    full.metrics.documentStatus = 200;
    full.metrics.ttfbMs = 41.5;
    full.metrics.firstContentfulPaintMs = 120.25;
    full.metrics.largestContentfulPaintMs = 250;
    full.metrics.domContentLoadedMs = 180;
    full.metrics.loadMs = 310.75;
    full.metrics.fullyLoadedMs = 2330;
    full.metrics.cumulativeLayoutShift = 0.0625;
    full.metrics.requestCount = 17;
    full.metrics.totalEncodedBytes = 512'000;
    full.warnings = { QStringLiteral("the probe refused 1 connection(s) the page tried to open: 10.0.0.1:80") };
    full.metrics.totalDecodedBytes = 1'600'000;
    full.finalUrl = QStringLiteral("https://www.example.com/");
    full.screenshotPng = QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", 20);
    samples.append({ "metrics, full with screenshot", full });
    MetricsMessage filmed = bare;
    filmed.metrics.firstVisualChangeMs = 300;
    filmed.metrics.speedIndexMs = 612.5;
    filmed.metrics.visualComplete85Ms = 900;
    filmed.metrics.visualComplete99Ms = 900;
    filmed.metrics.lastVisualChangeMs = 1100;
    const QByteArray jpeg("\xff\xd8\xff\xe0\0\x10JFIF\0", 11);
    filmed.filmstrip.frames = { { 0, jpeg }, { 300, jpeg }, { 900.5, jpeg } };
    filmed.longTasks = { { 320.5, 250.25 }, { 700, 120 } };
    samples.append({ "metrics, with a filmstrip", filmed });
    MetricsMessage step = bare;
    step.step = 20;
    step.stepName = QStringLiteral("account");
    step.finalUrl = QStringLiteral("https://example.com/account");
    samples.append({ "metrics of a script's named step 20", step });

    samples.append({ "done ok", DoneMessage { QStringLiteral("r1"), true, std::nullopt, std::nullopt, {}, {}, {} } });
    samples.append(
        { "done ok, cold browser", DoneMessage { QStringLiteral("r1"), true, std::nullopt, 640.5, {}, 612.4, 4.9 } });
    samples.append({ "done ok, with warnings",
        DoneMessage { QStringLiteral("r1"), true, std::nullopt, std::nullopt,
            { QStringLiteral("first view: 12 requests beyond the first 5000 were not recorded") }, {}, {} } });
    samples.append({ "done failed",
        DoneMessage { QStringLiteral("r1"), false,
            LoadError { LoadError::Kind::DnsFailure, QStringLiteral("net::ERR_NAME_NOT_RESOLVED") }, std::nullopt, {},
            {}, {} } });

    samples.append({ "load", LoadMessage { 2, 4, 1 } });
    samples.append({ "load, draining", LoadMessage { 1, 0, 0 } });

    samples.append({ "error busy",
        ErrorMessage { QStringLiteral("busy"), QStringLiteral("4 of 4 runs active"), QStringLiteral("r9") } });
    samples.append({ "error without run",
        ErrorMessage { QStringLiteral("unknown-type"), QStringLiteral("unknown message type \"x\""), {} } });
    return samples;
}
