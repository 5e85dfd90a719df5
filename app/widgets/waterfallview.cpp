#include "waterfallview.h"

#include "model/displayformat.h"
#include "requestdetailsview.h"
#include "theme.h"
#include "waterfallmodel.h"
#include "waterfallpainter.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

constexpr int maxElidedCache = 20'000;
// Pending bars grow smoothly at about 30 frames a second; bench_waterfall holds a frame to 16 ms.
constexpr int liveFrameMs = 33;

} // namespace

WaterfallView::WaterfallView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    m_relayoutTimer.setSingleShot(true);
    m_relayoutTimer.setInterval(0);
    connect(&m_relayoutTimer, &QTimer::timeout, this, &WaterfallView::relayout);
    m_liveTimer.setInterval(liveFrameMs);
    connect(&m_liveTimer, &QTimer::timeout, this, [this] {
        if (m_model && m_model->hasPendingRows())
            relayout(); // the span may grow with the clock
        else
            m_liveTimer.stop();
    });
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
}

WaterfallView::~WaterfallView() = default;

void WaterfallView::setModel(WaterfallModel *model)
{
    if (m_model == model)
        return;
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    setSelectedRow(QModelIndex());
    if (model) {
        connect(model, &QAbstractItemModel::rowsInserted, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::modelReset, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::layoutChanged, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::dataChanged, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::modelAboutToBeReset, this, &WaterfallView::rememberSelection);
        connect(model, &QAbstractItemModel::modelReset, this, &WaterfallView::findRememberedSelection);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &WaterfallView::followSelection);
        connect(model, &QAbstractItemModel::layoutChanged, this, &WaterfallView::followSelection);
        connect(model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                // The selected request changed (a pending one ended): what shows it shows it anew.
                if (m_selected.isValid() && m_selected.parent() == topLeft.parent() && topLeft.row() <= m_selected.row()
                    && m_selected.row() <= bottomRight.row())
                    emit selectionChanged();
            });
        connect(model, &QObject::destroyed, this, &WaterfallView::scheduleRelayout);
    }
    relayout();
}

WaterfallModel *WaterfallView::model() const
{
    return m_model;
}

void WaterfallView::setLayoutMode(LayoutMode mode)
{
    if (mode == m_mode)
        return;
    m_mode = mode;
    horizontalScrollBar()->setValue(0);
    relayout();
}

void WaterfallView::setMinimumSpanMs(double ms)
{
    m_minimumSpanMs = ms;
    relayout();
}

void WaterfallView::setWaiting(bool waiting)
{
    m_waiting = waiting;
    viewport()->update();
}

QString WaterfallView::placeholderText() const
{
    return placeholderText(layoutGeometry());
}

QString WaterfallView::placeholderText(const WaterfallGeometry &g) const
{
    int rows = 0;
    for (const int count : g.rowCounts)
        rows += count;
    const int lanes = m_model ? m_model->laneCount() : 0;
    if (lanes > 0 && (rows > 0 || m_mode == LayoutMode::Stacked))
        return {};
    if (m_waiting)
        return tr("Waiting for requests…");
    return lanes > 0 ? tr("No requests") : QString(); // nothing before any test
}

WaterfallGeometry WaterfallView::layoutGeometry() const
{
    WaterfallGeometry g;
    g.mode = m_mode;
    g.viewport = viewport()->size();
    g.scroll
        = QPointF(m_mode == LayoutMode::SideBySide ? horizontalScrollBar()->value() : 0, verticalScrollBar()->value());
    const int fontHeight = fontMetrics().height();
    g.rowHeight = std::max(16, fontHeight + 5);
    g.legendHeight = fontHeight + 8;
    g.axisHeight = fontHeight + 6;
    g.laneTitleHeight = fontHeight + 8;
    if (m_model) {
        g.rowCounts.reserve(m_model->laneCount());
        // A lane whose page had long tasks gets one row more, below its requests: its main thread.
        for (int lane = 0; lane < m_model->laneCount(); ++lane)
            g.rowCounts.append(m_model->requestCount(lane) + (m_model->longTasks(lane).isEmpty() ? 0 : 1));
        g.spanMs = WaterfallGeometry::spanFor(std::max(m_model->liveEndMs(), m_minimumSpanMs));
    }
    return g;
}

QModelIndex WaterfallView::rowAt(const QPoint &viewportPoint) const
{
    if (!m_model)
        return {};
    const WaterfallGeometry::Hit hit = layoutGeometry().hitTest(viewportPoint);
    if (!hit.isValid())
        return {};
    return m_model->index(hit.row, 0, m_model->laneIndex(hit.lane));
}

QSize WaterfallView::sizeHint() const
{
    return { 900, 500 };
}

void WaterfallView::scheduleRelayout()
{
    if (!m_relayoutTimer.isActive())
        m_relayoutTimer.start();
}

void WaterfallView::relayout()
{
    updateScrollBars();
    viewport()->update();
    if (m_model && m_model->hasPendingRows() && !m_liveTimer.isActive())
        m_liveTimer.start();
}

void WaterfallView::updateScrollBars()
{
    m_relayoutTimer.stop();
    WaterfallGeometry g = layoutGeometry();
    g.scroll = {};
    const QSizeF content = g.contentSize();
    const int rowHeight = static_cast<int>(g.rowHeight);
    QScrollBar *vertical = verticalScrollBar();
    vertical->setRange(0, std::max(0, static_cast<int>(std::ceil(content.height() - g.viewport.height()))));
    vertical->setPageStep(std::max(rowHeight, static_cast<int>(g.viewport.height() - g.headerHeight())));
    vertical->setSingleStep(rowHeight);
    QScrollBar *horizontal = horizontalScrollBar();
    const int horizontalMax = m_mode == LayoutMode::SideBySide
        ? std::max(0, static_cast<int>(std::ceil(content.width() - g.viewport.width())))
        : 0;
    horizontal->setRange(0, horizontalMax);
    horizontal->setPageStep(std::max(1, static_cast<int>(g.viewport.width())));
    horizontal->setSingleStep(static_cast<int>(g.laneWidth() / 4));
}

void WaterfallView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    relayout();
}

void WaterfallView::scrollContentsBy(int, int)
{
    viewport()->update();
}

void WaterfallView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange
        || event->type() == QEvent::StyleChange) {
        m_elided.clear();
        relayout();
    }
    QAbstractScrollArea::changeEvent(event);
}

void WaterfallView::setColouring(WaterfallPainter::Colouring colouring)
{
    if (m_colouring == colouring)
        return;
    m_colouring = colouring;
    viewport()->update();
}

QString WaterfallView::elidedLabel(const QString &label, int width)
{
    if (width != m_elidedWidth || m_elided.size() > maxElidedCache) {
        m_elided.clear();
        m_elidedWidth = width;
    }
    auto found = m_elided.constFind(label);
    if (found == m_elided.constEnd())
        found = m_elided.insert(label, WaterfallPainter::elideLabel(label, QFontMetricsF(font()), width));
    return *found;
}

void WaterfallView::paintEvent(QPaintEvent *event)
{
    // A paint that comes before the coalesced relayout (repaint(), an expose) brings the scroll bars up to date
    // itself, so that what it paints and what they say agree.
    if (m_relayoutTimer.isActive())
        updateScrollBars();
    QPainter painter(viewport());
    const WaterfallGeometry g = layoutGeometry();
    const Theme theme(palette());
    WaterfallPainter waterfall(theme, font(), nullptr);
    waterfall.setColouring(m_colouring);
    waterfall.setLabelElider([this](const QString &label, double width) { return elidedLabel(label, int(width)); });
    painter.fillRect(event->rect(), theme.base());
    const int lanes = m_model ? m_model->laneCount() : 0;
    for (int lane = 0; lane < lanes; ++lane) {
        const QRectF laneRect = g.laneRect(lane);
        if (laneRect.right() < 0 || laneRect.left() > g.viewport.width() || laneRect.bottom() < g.headerHeight()
            || laneRect.top() > g.viewport.height())
            continue;
        painter.save();
        painter.setClipRect(
            QRectF(laneRect.left(), g.headerHeight(), laneRect.width(), g.viewport.height() - g.headerHeight()));
        paintLaneRows(painter, waterfall, theme, g, lane);
        painter.restore();
    }
    const QString placeholder = placeholderText(g);
    if (!placeholder.isEmpty()) {
        painter.setPen(theme.muted());
        const QRectF below(0, g.headerHeight(), g.viewport.width(), g.viewport.height() - g.headerHeight());
        painter.drawText(below, Qt::AlignCenter, placeholder);
    }
    paintHeader(painter, waterfall, theme, g);
}

QString WaterfallView::laneSummary(int lane, bool compact) const
{
    const int count = m_model->requestCount(lane);
    const QString separator = compact ? QStringLiteral(" · ") : QStringLiteral("  ·  ");
    // Which page load the rows are, once there is more than one to choose from: the region table's numbers are
    // medians over the runs, these rows one run's.
    QString summary;
    const auto loads = m_model->loadsOf(lane);
    const bool severalRuns = std::any_of(
        loads.cbegin(), loads.cend(), [&](const auto &load) { return load.first != loads.constFirst().first; });
    if (severalRuns || m_model->view() == RunView::Repeat) {
        summary = m_model->runIndex() == WaterfallModel::RepresentativeRun
            ? tr("median run %1").arg(m_model->shownRun(lane) + 1)
            : tr("run %1").arg(m_model->shownRun(lane) + 1);
        if (m_model->view() == RunView::Repeat)
            summary += tr(", repeat view");
        summary += separator;
    }
    summary += count == 1 ? tr("1 request") : tr("%1 requests").arg(count);
    // The page's moments with their times, as DevTools' summary gives them: the lines alone may coincide.
    if (const auto metrics = m_model->pageMetrics(lane)) {
        const std::pair<QString, std::optional<double>> moments[]
            = { { tr("FCP"), metrics->firstContentfulPaintMs }, { tr("LCP"), metrics->largestContentfulPaintMs },
                  { tr("DCL"), metrics->domContentLoadedMs }, { tr("load"), metrics->loadMs } };
        for (const auto &[name, ms] : moments) {
            if (ms)
                summary += separator + name + u' ' + DisplayFormat::duration(ms);
        }
    }
    if (const qsizetype dropped = m_model->droppedCount(lane))
        summary += separator + (compact ? tr("+%1 not shown").arg(dropped) : tr("%1 more not shown").arg(dropped));
    return summary;
}

void WaterfallView::paintLaneTitle(
    QPainter &painter, const Theme &theme, const QRectF &rect, int lane, bool compact, double gap)
{
    // The region in bold (and the step of a script of several: each step is a block of its own), then what its
    // lane holds, quieter.
    QFont bold = font();
    bold.setBold(true);
    const QString region = m_model->laneTitle(lane);
    painter.setFont(bold);
    painter.setPen(theme.text());
    painter.drawText(rect, Qt::AlignVCenter | Qt::AlignLeft, region);
    painter.setFont(font());
    painter.setPen(theme.muted());
    const QString summary = laneSummary(lane, compact);
    painter.drawText(rect.adjusted(QFontMetricsF(bold).horizontalAdvance(region) + gap, 0, 0, 0),
        Qt::AlignVCenter | Qt::AlignLeft,
        compact ? QFontMetricsF(font()).elidedText(summary, Qt::ElideRight, rect.width()) : summary);
}

void WaterfallView::paintLaneRows(
    QPainter &painter, const WaterfallPainter &waterfall, const Theme &theme, const WaterfallGeometry &g, int lane)
{
    const QRectF laneRect = g.laneRect(lane);
    const QRectF rows = g.rowsRect(lane);
    const WaterfallScale scale = g.scale(lane);
    if (m_mode == LayoutMode::Stacked) {
        const QRectF title = g.laneTitleRect(lane);
        painter.fillRect(title, Theme::mix(theme.base(), theme.text(), theme.isDark() ? 0.12 : 0.07));
        paintLaneTitle(painter, theme, title.adjusted(g.padding, 0, -g.padding, 0), lane, false, 2 * g.padding);
    } else if (lane > 0) {
        painter.setPen(theme.rule());
        painter.drawLine(QPointF(laneRect.left() - g.laneGap / 2, g.headerHeight()),
            QPointF(laneRect.left() - g.laneGap / 2, g.viewport.height()));
    }

    // The visible part of the lane's rows, for the grid and the markers.
    const double visibleTop = std::max(rows.top(), g.headerHeight());
    const double visibleBottom
        = std::min(m_mode == LayoutMode::SideBySide ? g.viewport.height() : rows.bottom(), g.viewport.height());
    const auto [first, last] = g.visibleRows(lane);

    // Alternate row shading and the selection, under everything else; then the grid, the rows, the markers.
    const QModelIndex selected = m_selected;
    const int selectedRow = selected.isValid() && selected.parent().row() == lane ? selected.row() : -1;
    for (int row = first; row <= last; ++row)
        waterfall.paintRowBackground(painter, g.rowRect(lane, row), row, row == selectedRow);
    waterfall.paintGrid(painter, scale, g.spanMs, g.barArea(lane).width(), visibleTop, visibleBottom);
    for (int row = first; row <= last; ++row) {
        const RequestTiming *request = m_model->request(lane, row);
        if (!request)
            continue;
        WaterfallPainter::RowRects rects;
        rects.row = g.rowRect(lane, row);
        rects.label = g.labelRect(lane, row).adjusted(0, 0, -g.padding, 0);
        rects.durationAtBar = true;
        const QString label = QString::number(row + 1) + QStringLiteral("  ") + m_model->label(lane, row);
        const auto abandonedAt = m_model->abandonedAtMs(lane, row);
        if (abandonedAt || m_model->isPending(lane, row)) {
            waterfall.paintPendingRow(painter, *request, label, rects, scale,
                abandonedAt.value_or(m_model->liveNowMs(lane).value_or(request->startMs)), abandonedAt.has_value());
            continue;
        }
        // Numbered as WebPageTest numbers its rows, so that "request 12" means one row to everyone.
        waterfall.paintRow(painter, *request,
            QString::number(row + 1) + QStringLiteral("  ") + m_model->label(lane, row), rects, scale, g.spanMs,
            m_model->durationText(lane, row));
    }
    paintMainThreadRow(painter, waterfall, g, lane);
    if (const auto metrics = m_model->pageMetrics(lane))
        waterfall.paintMarkers(painter, *metrics, scale, visibleTop, visibleBottom);
}

void WaterfallView::paintMainThreadRow(
    QPainter &painter, const WaterfallPainter &waterfall, const WaterfallGeometry &g, int lane) const
{
    const QList<LongTask> tasks = m_model->longTasks(lane);
    const int row = m_model->requestCount(lane);
    const auto [first, last] = g.visibleRows(lane);
    if (tasks.isEmpty() || row < first || row > last)
        return;
    WaterfallPainter::RowRects rects;
    rects.row = g.rowRect(lane, row);
    rects.label = g.labelRect(lane, row).adjusted(0, 0, -g.padding, 0);
    waterfall.paintRowBackground(painter, rects.row, row, false);
    waterfall.paintMainThread(painter, tasks, rects, g.scale(lane));
}

bool WaterfallView::showMainThreadToolTip(const QHelpEvent *help)
{
    const WaterfallGeometry g = layoutGeometry();
    const WaterfallGeometry::Hit hit = g.hitTest(help->pos());
    if (!hit.isValid() || hit.row != m_model->requestCount(hit.lane))
        return false;
    const WaterfallScale scale = g.scale(hit.lane);
    // A few pixels either side, so that a short task is not a needle to find.
    const QString text = WaterfallPainter::mainThreadToolTip(
        m_model->longTasks(hit.lane), scale.ms(help->pos().x()), 3 / std::max(scale.pxPerMs, 1e-9));
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), text, viewport(), g.rowRect(hit.lane, hit.row).toAlignedRect());
    return true;
}

void WaterfallView::paintHeader(
    QPainter &painter, const WaterfallPainter &waterfall, const Theme &theme, const WaterfallGeometry &g)
{
    const QRectF header(0, 0, g.viewport.width(), g.headerHeight());
    painter.fillRect(header, theme.window());
    painter.setPen(Theme::mix(theme.window(), theme.text(), 0.25));
    painter.drawLine(QPointF(0, header.bottom() - 0.5), QPointF(header.right(), header.bottom() - 0.5));
    // On screen rows may be pending (live): the legend says what their hatching means.
    waterfall.paintLegend(painter, QRectF(g.padding, 0, header.width() - g.padding, g.legendHeight), true);

    const int lanes = m_model ? m_model->laneCount() : 0;
    // Side by side each lane has its title and its copy of the axis; stacked, the lanes share one axis.
    const int axes = m_mode == LayoutMode::SideBySide ? lanes : std::min(lanes, 1);
    for (int lane = 0; lane < axes; ++lane) {
        const QRectF laneRect = g.laneRect(lane);
        if (laneRect.right() < 0 || laneRect.left() > g.viewport.width())
            continue;
        painter.save();
        painter.setClipRect(QRectF(laneRect.left(), 0, laneRect.width(), g.headerHeight()));
        if (m_mode == LayoutMode::SideBySide)
            paintLaneTitle(
                painter, theme, g.laneTitleRect(lane).adjusted(g.padding, 0, -g.padding, 0), lane, true, g.padding);
        const QRectF axis = g.axisRect(lane);
        const WaterfallScale scale = g.scale(lane);
        waterfall.paintAxis(painter, axis, scale, g.spanMs, laneRect.right());
        // Side by side, each lane's markers as small triangles on its axis (stacked, the one axis would mix every
        // lane's).
        if (const auto metrics = m_model->pageMetrics(lane); metrics && m_mode == LayoutMode::SideBySide)
            waterfall.paintAxisMarkers(painter, axis, scale, *metrics);
        painter.restore();
    }
}

void WaterfallView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_model) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    event->accept();
    QToolTip::hideText(); // the details pane shows the clicked request: a tool tip over it would hide it
    // A click beside the rows clears the selection.
    const QModelIndex index = rowAt(event->position().toPoint());
    setSelectedRow(index);
    if (!index.isValid())
        return;
    const int lane = index.parent().row();
    if (const RequestTiming *request = m_model->request(lane, index.row())) {
        const RequestTiming clicked = *request; // the signal's receivers may change the model
        emit requestClicked(m_model->region(lane), clicked);
    }
}

void WaterfallView::setSelectedRow(const QModelIndex &index)
{
    const bool isRequest = index.isValid() && index.model() == m_model && index.parent().isValid()
        && index.row() < m_model->requestCount(index.parent().row());
    const QModelIndex selected = isRequest ? index : QModelIndex();
    if (selected == QModelIndex(m_selected) && m_selectionShown == selected.isValid())
        return;
    m_selected = selected;
    m_selectionShown = selected.isValid();
    if (selected.isValid())
        scrollToRow(selected.parent().row(), selected.row());
    viewport()->update();
    emit selectionChanged();
}

void WaterfallView::scrollToRow(int lane, int row)
{
    const WaterfallGeometry g = layoutGeometry();
    const QRectF rect = g.rowRect(lane, row);
    QScrollBar *vertical = verticalScrollBar();
    if (rect.top() < g.headerHeight())
        vertical->setValue(vertical->value() - static_cast<int>(std::ceil(g.headerHeight() - rect.top())));
    else if (rect.bottom() > g.viewport.height())
        vertical->setValue(vertical->value() + static_cast<int>(std::ceil(rect.bottom() - g.viewport.height())));
    if (m_mode == LayoutMode::SideBySide) {
        const QRectF laneRect = g.laneRect(lane);
        QScrollBar *horizontal = horizontalScrollBar();
        if (laneRect.left() < 0 || laneRect.right() > g.viewport.width())
            horizontal->setValue(horizontal->value() + static_cast<int>(laneRect.left()));
    }
}

void WaterfallView::rememberSelection()
{
    m_remembered = {};
    if (!m_selected.isValid())
        return;
    const int lane = m_selected.parent().row();
    if (const RequestTiming *request = m_model->request(lane, m_selected.row()))
        m_remembered = { m_model->region(lane), request->id, request->url };
}

void WaterfallView::findRememberedSelection()
{
    // Another run, view or filter: the same request (same id and URL) in the same region stays selected if it is
    // still there.
    QModelIndex found;
    for (int lane = 0; lane < m_model->laneCount() && !m_remembered.region.isEmpty() && !found.isValid(); ++lane) {
        if (m_model->region(lane) != m_remembered.region)
            continue;
        for (int row = 0; row < m_model->requestCount(lane); ++row) {
            const RequestTiming *request = m_model->request(lane, row);
            if (request && request->id == m_remembered.id && request->url == m_remembered.url) {
                found = m_model->index(row, 0, m_model->laneIndex(lane));
                break;
            }
        }
    }
    m_remembered = {};
    if (found.isValid())
        m_selectionShown = false; // shown anew: its run may differ
    setSelectedRow(found);
}

void WaterfallView::followSelection()
{
    // Rows went or moved: a selection that went with them ends, and says so.
    if (m_selectionShown && !m_selected.isValid())
        setSelectedRow(QModelIndex());
}

void WaterfallView::keyPressEvent(QKeyEvent *event)
{
    // Up and down walk the selected lane's requests, as in DevTools' list; the first key selects the first one.
    const int step = event->key() == Qt::Key_Down ? 1 : event->key() == Qt::Key_Up ? -1 : 0;
    if (!step || !m_model || event->modifiers() != Qt::NoModifier) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
    if (!m_selected.isValid()) {
        for (int lane = 0; lane < m_model->laneCount(); ++lane) {
            if (m_model->requestCount(lane) > 0) {
                setSelectedRow(m_model->index(0, 0, m_model->laneIndex(lane)));
                return;
            }
        }
        return;
    }
    const int lane = m_selected.parent().row();
    const int row = std::clamp(m_selected.row() + step, 0, m_model->requestCount(lane) - 1);
    setSelectedRow(m_model->index(row, 0, m_model->laneIndex(lane)));
}

void WaterfallView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        event->accept();
    else
        QAbstractScrollArea::mouseReleaseEvent(event);
}

bool WaterfallView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && m_model) {
        const auto *help = static_cast<QHelpEvent *>(event);
        if (showMainThreadToolTip(help))
            return true;
        const QModelIndex index = rowAt(help->pos());
        if (!index.isValid()) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const int lane = index.parent().row();
        if (const RequestTiming *request = m_model->request(lane, index.row())) {
            const QRect rowRect = layoutGeometry().rowRect(lane, index.row()).toAlignedRect();
            QToolTip::showText(help->globalPos(),
                RequestDetailsView::detailsText(m_model->region(lane), *request, m_model->isPending(lane, index.row())),
                viewport(), rowRect);
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}
