#pragma once

#include "filmstrippainter.h"
#include "testrecord.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <optional>

class WaterfallView;

// The filmstrip of each region's shown page load, under its waterfall lane and on the same time axis: side by side,
// a strip under each lane's column; stacked, a strip per lane, one below the other. A cursor follows the mouse over
// either the waterfall or the strips, and is drawn across both, so a bar can be read against what the page showed at
// that moment. Hidden while no shown load has a filmstrip.
//
// It reads the waterfall's geometry and shown run rather than keeping its own, so it needs nothing from the
// waterfall but its public interface: it watches the waterfall's viewport for repaints and mouse moves.
class FilmstripView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilmstripView)

public:
    static constexpr int thumbnailHeight = 72;

    explicit FilmstripView(WaterfallView *waterfall, QWidget *parent = nullptr);
    ~FilmstripView() override;

    // The test whose filmstrips to show (the live one as its views arrive, or one from the history).
    void setTest(const TestRecord &test);
    void clear();

    std::optional<double> cursorMs() const { return m_cursorMs; }
    void setCursorMs(std::optional<double> ms);
    // Lanes with a strip right now, for tests.
    int stripCount() const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Strip
    {
        int lane = -1;
        QRectF rect; // in this widget
        FilmstripPainter::Axis axis;
        const FilmstripPainter::Frames *frames = nullptr;
    };
    // Where each lane's strip goes now, from the waterfall's geometry.
    QList<Strip> strips() const;
    // The strip of the run and view the waterfall shows in `lane` (its region's median run, or the picked one).
    const FilmstripPainter::Frames *framesOf(int lane) const;
    int rowHeight() const;
    void refit();
    // The time under x in this widget, and the lane it is in; nothing outside every strip.
    std::optional<double> msAt(double x);

    QPointer<WaterfallView> m_waterfall;
    // The waterfall's viewport, whose events we filter. Events reach it while the waterfall is being destroyed,
    // when m_waterfall is no longer a WaterfallView: the filter must tell them apart without touching it.
    QPointer<QWidget> m_viewport;
    QWidget *m_overlay = nullptr; // on the waterfall's viewport: the cursor's line there
    TestRecord m_test;
    // Decoded per region, run and view ("fra/1/first"), as they are first shown.
    mutable QHash<QString, FilmstripPainter::Frames> m_frames;
    std::optional<double> m_cursorMs;
    int m_cursorLane = -1; // the lane whose axis the cursor was set on
    bool m_refitQueued = false;
};
