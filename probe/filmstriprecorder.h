#pragma once

#include "model/filmstrip.h"
#include "model/pagemetrics.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

class CdpConnection;

// Records a view's filmstrip with Chrome's screencast, and derives the visual metrics from it (VisualProgress).
//
// The screencast starts before the navigation (the strip starts with the page before it at 0 ms) and runs until the
// view ends: at the earliest 2 s of network quiet after the load event, so paints after the load are in it. Chrome
// sends a frame only when the picture changed; each is a small JPEG (Filmstrip::thumbnailSide) stamped with the
// wall-clock time it was drawn. At the end we ask the page for performance.timeOrigin (navigation start on the same
// wall clock) and turn each stamp into a time from navigation start.
//
// A new tab's frames from before navigation start are not read: they show about:blank while the run's viewport is
// applied, possibly with the resized part not painted yet (a strip that would count as a visual change when the
// page's first white frame replaced it). The strip starts with a white frame instead. Before a script's later step,
// the page the script left is the start.
//
// What the metrics see: every frame captured (at most maxCapturedFrames); what the result keeps is the thinned
// Filmstrip, within its size budget. A page that never stops painting (an animation) is cut at the view's end, and its
// last visual change is then that end.
class FilmstripRecorder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilmstripRecorder)

public:
    static constexpr qsizetype maxCapturedFrames = 1'000;
    static constexpr int jpegQuality = 70;

    FilmstripRecorder(CdpConnection *cdp, QString sessionId, QObject *parent = nullptr);

    // What the tab showed when the view began: nothing yet (a new tab's about:blank), or a page of its own (a
    // script's page before its measured step).
    enum class Before { Blank, Page };

    // Starts the screencast; `ready` is called when the view may navigate: once the screencast's first frame came and
    // two animation frames passed (those at most 250 ms, the whole wait at most a second), so the picture at
    // navigation start is drawn and captured before it. In a new tab the run's viewport is set, but Chrome draws it
    // resized a frame or two later; a frame drawn meanwhile, with the new part unpainted, would count as the page's
    // first visual change. When a script loaded a page before the step, that page can be loaded before it was first
    // painted (a small one is), and the screencast's first frame of it can be stamped after navigation start; either
    // would make the page the script left the step's first visual change. The wait is before navigation start, outside
    // every figure of the view.
    void start(Before before, std::function<void()> ready);
    // The session's events; true when it was one of the screencast's.
    bool handleEvent(const QString &method, const QJsonObject &params);
    // Stops the screencast and asks for the page's time origin. Send before the page's metrics are read: the answer
    // then arrives first, and finish() can use it.
    void stop();
    // The filmstrip and its metrics in the view; nothing when no frame or no time origin came.
    void finish(Filmstrip &filmstrip, PageMetrics &metrics) const;

private:
    void readyIfDrawn();
    void callReady();

    struct Captured
    {
        double wallMs = 0;
        QByteArray jpeg;
    };

    QPointer<CdpConnection> m_cdp;
    QString m_sessionId;
    bool m_recording = false;
    Before m_before = Before::Blank;
    std::function<void()> m_ready; // until it is called
    bool m_animationFramesDone = false;
    QList<Captured> m_frames;
    std::optional<double> m_timeOriginMs; // navigation start, ms since the Unix epoch
};
