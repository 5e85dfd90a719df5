#pragma once

#include "waterfallgeometry.h"
#include "waterfallpainter.h"

#include <QAbstractScrollArea>
#include <QHash>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QTimer>

class QHelpEvent;

class QPainter;
class Theme;
class WaterfallModel;
class WaterfallPainter;

// The live waterfall: every request of every lane (region) of a WaterfallModel, painted directly (no item view),
// side by side or stacked, on one time axis. Only the rows in view are painted, so a lane of thousands of rows
// scrolls as fast as one of ten. Rows appear as the model inserts them; model signals only schedule one relayout
// and one repaint per event-loop turn.
//
// What rows, axes and the legend look like is WaterfallPainter's (the PDF report paints through it too): bars split
// into the request's phases in DevTools' colours, failed requests outlined in the theme's error colour, unfinished
// ones with a dashed open end, requests still going (pending, live only) with a striped bar growing to the lane's
// clock, the page's first contentful paint, DOMContentLoaded and load as vertical lines.
// Where they go is WaterfallGeometry's. Hovering a row shows its details in a tool tip; clicking selects it (Up and
// Down walk the selection) and emits requestClicked(); a RequestDetailsView shows the selected request for good.
class WaterfallView final : public QAbstractScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WaterfallView)

public:
    using LayoutMode = WaterfallGeometry::LayoutMode;
    using Phase = WaterfallGeometry::Phase;
    using Marker = WaterfallGeometry::Marker;

    explicit WaterfallView(QWidget *parent = nullptr);
    ~WaterfallView() override;

    // Not owned.
    void setModel(WaterfallModel *model);
    WaterfallModel *model() const;

    void setLayoutMode(LayoutMode mode);
    LayoutMode layoutMode() const { return m_mode; }
    // Bars by phase (the default) or by content type; the legend follows.
    void setColouring(WaterfallPainter::Colouring colouring);
    WaterfallPainter::Colouring colouring() const { return m_colouring; }
    // The time axis reaches at least this far, whatever the model holds: views side by side share one scale.
    void setMinimumSpanMs(double ms);
    // While a test runs an empty waterfall says it waits for requests; a test that ended, or a stored one, without
    // any says it has none rather than promise some; before any test it says nothing.
    void setWaiting(bool waiting);
    // What the view says across an empty waterfall, as it paints it; empty when it says nothing.
    QString placeholderText() const;

    // Where everything is right now, in viewport coordinates.
    WaterfallGeometry layoutGeometry() const;
    // The request row under a point of the viewport (a child of its lane's index), or an invalid index.
    QModelIndex rowAt(const QPoint &viewportPoint) const;
    QModelIndex selectedRow() const { return m_selected; }
    // Selects a request row (a child of its lane's index) and scrolls it into view; an invalid index clears.
    void setSelectedRow(const QModelIndex &index);

    // A lane's title after its region: which run it shows (when there is a choice), its requests and the page's
    // moments with their times; `compact` for the narrow titles side by side.
    QString laneSummary(int lane, bool compact) const;

    QSize sizeHint() const override;

signals:
    void requestClicked(const QString &region, const RequestTiming &request);
    // The selected row is another, none, or its request changed (a pending one ended).
    void selectionChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    QString placeholderText(const WaterfallGeometry &g) const;
    void scheduleRelayout();
    void relayout();
    void updateScrollBars();
    QString elidedLabel(const QString &label, int width);
    void paintLaneTitle(QPainter &painter, const Theme &theme, const QRectF &rect, int lane, bool compact, double gap);
    void paintLaneRows(
        QPainter &painter, const WaterfallPainter &waterfall, const Theme &theme, const WaterfallGeometry &g, int lane);
    void paintHeader(
        QPainter &painter, const WaterfallPainter &waterfall, const Theme &theme, const WaterfallGeometry &g);
    // The lane's main-thread row, below its requests, when its page had long tasks; and its tooltip (false: the
    // point is not on a main-thread row).
    void paintMainThreadRow(
        QPainter &painter, const WaterfallPainter &waterfall, const WaterfallGeometry &g, int lane) const;
    bool showMainThreadToolTip(const QHelpEvent *help);
    void scrollToRow(int lane, int row);
    void rememberSelection();
    void findRememberedSelection();
    void followSelection();

    QPointer<WaterfallModel> m_model;
    LayoutMode m_mode = LayoutMode::SideBySide;
    WaterfallPainter::Colouring m_colouring = WaterfallPainter::Colouring::Phases;
    double m_minimumSpanMs = 0;
    bool m_waiting = false;
    QTimer m_relayoutTimer;
    // While a shown request is pending its bar grows: a repaint per tick, and none when nothing is pending.
    QTimer m_liveTimer;
    QPersistentModelIndex m_selected;
    // Whether selectionChanged() last told of a row: a row the model removed ends the selection with a signal.
    bool m_selectionShown = false;
    // The selected request across a model reset (another run or view), to select it again if it is still there.
    struct Remembered
    {
        QString region;
        QString id;
        QString url;
    } m_remembered;
    // Labels elided for the current URL column width; most rows are painted many times while a page loads.
    QHash<QString, QString> m_elided;
    int m_elidedWidth = -1;
};
