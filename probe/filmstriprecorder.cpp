#include "filmstriprecorder.h"

#include "cdpconnection.h"
#include "visualprogress.h"

#include <QBuffer>
#include <QImage>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <utility>

namespace {

// The longest start() waits for its first frame before letting the view navigate anyway: the picture at navigation
// start is then unknown, and the strip starts white.
constexpr std::chrono::milliseconds readyTimeout { 1'000 };

} // namespace

FilmstripRecorder::FilmstripRecorder(CdpConnection *cdp, QString sessionId, QObject *parent)
    : QObject(parent)
    , m_cdp(cdp)
    , m_sessionId(std::move(sessionId))
{ }

void FilmstripRecorder::start(Before before, std::function<void()> ready)
{
    if (!m_cdp) {
        ready();
        return;
    }
    m_before = before;
    m_recording = true;
    m_ready = std::move(ready);
    m_cdp->send(QStringLiteral("Page.startScreencast"),
        { { QStringLiteral("format"), QStringLiteral("jpeg") }, { QStringLiteral("quality"), jpegQuality },
            { QStringLiteral("maxWidth"), Filmstrip::thumbnailSide },
            { QStringLiteral("maxHeight"), Filmstrip::thumbnailSide }, { QStringLiteral("everyNthFrame"), 1 } },
        m_sessionId);
    m_cdp->send(
        QStringLiteral("Runtime.evaluate"),
        { { QStringLiteral("expression"),
              QStringLiteral("new Promise(r => { requestAnimationFrame(() => requestAnimationFrame(r)); "
                             "setTimeout(r, 250); })") },
            { QStringLiteral("awaitPromise"), true } },
        m_sessionId, this,
        [this](const CdpReply &) {
            m_animationFramesDone = true;
            readyIfDrawn();
        },
        readyTimeout);
    QTimer::singleShot(readyTimeout, this, &FilmstripRecorder::callReady);
}

void FilmstripRecorder::readyIfDrawn()
{
    if (m_animationFramesDone && !m_frames.isEmpty())
        callReady();
}

void FilmstripRecorder::callReady()
{
    if (!m_ready)
        return;
    // Queued: this may run inside the owner's event handler, and the owner navigates from `ready`.
    QMetaObject::invokeMethod(this, std::exchange(m_ready, nullptr), Qt::QueuedConnection);
}

bool FilmstripRecorder::handleEvent(const QString &method, const QJsonObject &params)
{
    if (method != u"Page.screencastFrame")
        return false;
    // Chrome sends the next frame only once this one is acknowledged.
    if (m_cdp)
        m_cdp->send(QStringLiteral("Page.screencastFrameAck"),
            { { QStringLiteral("sessionId"), params.value(QStringLiteral("sessionId")) } }, m_sessionId);
    const double stamp
        = params.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("timestamp")).toDouble(-1);
    if (!m_recording || m_frames.size() >= maxCapturedFrames || !(stamp > 0))
        return true;
    m_frames.append(Captured {
        stamp * 1000.0, QByteArray::fromBase64(params.value(QStringLiteral("data")).toString().toLatin1()) });
    readyIfDrawn();
    return true;
}

void FilmstripRecorder::stop()
{
    if (!m_cdp || !m_recording)
        return;
    m_recording = false;
    m_cdp->send(QStringLiteral("Page.stopScreencast"), {}, m_sessionId);
    m_cdp->send(QStringLiteral("Runtime.evaluate"),
        { { QStringLiteral("expression"), QStringLiteral("performance.timeOrigin") },
            { QStringLiteral("returnByValue"), true } },
        m_sessionId, this, [this](const CdpReply &reply) {
            const QJsonValue origin
                = reply.result.value(QStringLiteral("result")).toObject().value(QStringLiteral("value"));
            if (reply.ok() && origin.isDouble() && origin.toDouble() > 0)
                m_timeOriginMs = origin.toDouble();
        });
}

void FilmstripRecorder::finish(Filmstrip &filmstrip, PageMetrics &metrics) const
{
    if (!m_timeOriginMs || m_frames.isEmpty())
        return;
    // Frames drawn before navigation start show the page before it: the last of them is the state at navigation
    // start, unless that was a new tab's about:blank (the class's comment).
    QList<VisualProgress::Frame> frames;
    QList<Filmstrip::Frame> kept;
    QList<Captured> inOrder = m_frames;
    std::stable_sort(
        inOrder.begin(), inOrder.end(), [](const Captured &a, const Captured &b) { return a.wallMs < b.wallMs; });
    for (const Captured &captured : std::as_const(inOrder)) {
        if (m_before == Before::Blank && captured.wallMs <= *m_timeOriginMs)
            continue;
        const double timeMs = std::max(0.0, captured.wallMs - *m_timeOriginMs);
        QImage image = QImage::fromData(captured.jpeg, "JPEG");
        if (image.isNull())
            continue;
        if (timeMs == 0 && !kept.isEmpty()) {
            frames.last().image = image;
            kept.last().jpeg = captured.jpeg;
            continue;
        }
        if (frames.isEmpty() && timeMs > 0) {
            // A new tab's about:blank, or a page that drew nothing before navigation start: the page was blank
            // then, and the strip says so too.
            QImage blank(image.size(), QImage::Format_RGB32);
            blank.fill(Qt::white);
            QByteArray jpeg;
            QBuffer buffer(&jpeg);
            buffer.open(QIODevice::WriteOnly);
            blank.save(&buffer, "JPEG", jpegQuality);
            frames.append(VisualProgress::Frame { 0, blank });
            kept.append(Filmstrip::Frame { 0, jpeg });
        }
        frames.append(VisualProgress::Frame { timeMs, std::move(image) });
        kept.append(Filmstrip::Frame { timeMs, captured.jpeg });
    }
    const VisualProgress::Metrics visual = VisualProgress::compute(frames);
    metrics.firstVisualChangeMs = visual.firstVisualChangeMs;
    metrics.speedIndexMs = visual.speedIndexMs;
    metrics.visualComplete85Ms = visual.visualComplete85Ms;
    metrics.visualComplete99Ms = visual.visualComplete99Ms;
    metrics.lastVisualChangeMs = visual.lastVisualChangeMs;
    filmstrip = Filmstrip::thinned(std::move(kept));
}
