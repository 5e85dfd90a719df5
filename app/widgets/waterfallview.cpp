#include "waterfallview.h"

#include "model/datasize.h"
#include "waterfallmodel.h"

#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

constexpr int maxElidedCache = 20'000;

QString formatMs(double ms)
{
    return QString::number(ms, 'f', std::abs(ms) < 10 ? 1 : 0) + QStringLiteral(" ms");
}

QString formatSeconds(double ms)
{
    return ms < 1000 ? formatMs(ms) : QString::number(ms / 1000, 'f', 2) + QStringLiteral(" s");
}

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
        static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
        static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QColor failedColor(bool dark)
{
    return dark ? QColor(0xff, 0x6e, 0x6e) : QColor(0xd3, 0x2f, 0x2f);
}

QString requestsText(int count)
{
    return count == 1 ? WaterfallView::tr("1 request") : WaterfallView::tr("%1 requests").arg(count);
}

struct MarkerValue
{
    WaterfallGeometry::Marker marker;
    std::optional<double> ms;
};

QList<MarkerValue> markersOf(const PageMetrics &metrics)
{
    return { { WaterfallGeometry::Marker::FirstContentfulPaint, metrics.firstContentfulPaintMs },
        { WaterfallGeometry::Marker::DomContentLoaded, metrics.domContentLoadedMs },
        { WaterfallGeometry::Marker::Load, metrics.loadMs } };
}

} // namespace

WaterfallView::WaterfallView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    m_relayoutTimer.setSingleShot(true);
    m_relayoutTimer.setInterval(0);
    connect(&m_relayoutTimer, &QTimer::timeout, this, &WaterfallView::relayout);
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
    m_selected = QPersistentModelIndex();
    if (model) {
        connect(model, &QAbstractItemModel::rowsInserted, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::modelReset, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::layoutChanged, this, &WaterfallView::scheduleRelayout);
        connect(model, &QAbstractItemModel::dataChanged, this, &WaterfallView::scheduleRelayout);
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
        for (int lane = 0; lane < m_model->laneCount(); ++lane)
            g.rowCounts.append(m_model->requestCount(lane));
        g.spanMs = WaterfallGeometry::spanFor(m_model->maxEndMs());
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

bool WaterfallView::isDark() const
{
    return palette().color(QPalette::Base).lightness() < 128;
}

QString WaterfallView::detailsText(const QString &region, const RequestTiming &request)
{
    const auto row = [](const QString &name, const QString &value) -> QString {
        return QStringLiteral("<tr><td>") + name + QStringLiteral("&nbsp;&nbsp;</td><td>") + value
            + QStringLiteral("</td></tr>");
    };
    QString url = request.url;
    if (url.size() > 160)
        url = url.left(100) + QChar(0x2026) + url.right(59);
    QString status;
    switch (request.outcome) {
    case RequestTiming::Outcome::Finished:
        status = request.status ? QString::number(*request.status) : QStringLiteral("?");
        if (!request.statusText.isEmpty())
            status += u' ' + request.statusText.toHtmlEscaped();
        break;
    case RequestTiming::Outcome::Failed:
        status = QStringLiteral("<b>failed</b> ") + request.failureText.toHtmlEscaped();
        break;
    case RequestTiming::Outcome::Unfinished:
        status = QStringLiteral("<i>unfinished</i>");
        break;
    }
    if (request.fromCache)
        status += QStringLiteral(" (from cache)");
    QString type = request.resourceType.toHtmlEscaped();
    if (!request.mimeType.isEmpty())
        type += QStringLiteral(" (") + request.mimeType.toHtmlEscaped() + u')';
    QString size;
    if (request.encodedBytes)
        size = DataSize::text(*request.encodedBytes) + QStringLiteral(" transferred");
    if (request.decodedBytes)
        size += (size.isEmpty() ? QString() : QStringLiteral(", ")) + DataSize::text(*request.decodedBytes)
            + QStringLiteral(" resource");

    QString html = QStringLiteral("<p style='white-space:pre'><b>") + url.toHtmlEscaped() + QStringLiteral("</b></p>")
        + QStringLiteral("<table cellspacing='0' cellpadding='0'>")
        + row(QStringLiteral("Region"), region.toHtmlEscaped()) + row(QStringLiteral("Status"), status)
        + row(QStringLiteral("Type"), type);
    if (!size.isEmpty())
        html += row(QStringLiteral("Size"), size);
    if (!request.protocol.isEmpty() || !request.remoteIp.isEmpty())
        html += row(
            QStringLiteral("Protocol"), QString(request.protocol + u' ' + request.remoteIp).trimmed().toHtmlEscaped());
    html += row(QStringLiteral("Start"), formatMs(request.startMs));
    html += row(
        QStringLiteral("Duration"), request.durationMs ? formatMs(*request.durationMs) : QStringLiteral("(not ended)"));
    const RequestPhases &p = request.phases;
    const std::pair<Phase, std::optional<double>> phases[]
        = { { Phase::Blocked, p.blocked }, { Phase::Dns, p.dns }, { Phase::Connect, p.connect }, { Phase::Ssl, p.ssl },
              { Phase::Send, p.send }, { Phase::Wait, p.wait }, { Phase::Receive, p.receive } };
    for (const auto &[phase, duration] : phases) {
        if (!duration)
            continue;
        const QString swatch = QStringLiteral("<span style='color:")
            + WaterfallGeometry::phaseColor(phase, false).name() + QStringLiteral("'>&#9632;</span> ");
        html += row(swatch + WaterfallGeometry::phaseName(phase), formatMs(*duration));
    }
    html += QStringLiteral("</table>");
    return html;
}

QString WaterfallView::elidedLabel(const QString &label, int width)
{
    if (width != m_elidedWidth || m_elided.size() > maxElidedCache) {
        m_elided.clear();
        m_elidedWidth = width;
    }
    auto found = m_elided.constFind(label);
    if (found == m_elided.constEnd())
        found = m_elided.insert(label, elideLabel(label, QFontMetricsF(font()), width));
    return *found;
}

QString WaterfallView::elideLabel(const QString &label, const QFontMetricsF &metrics, qreal width)
{
    if (metrics.horizontalAdvance(label) <= width)
        return label;
    // What names a resource is its host (when the label has one) and its file name; directories go first.
    const qsizetype query = label.indexOf(u'?');
    const qsizetype lastSlash = label.left(query < 0 ? label.size() : query).lastIndexOf(u'/');
    const qsizetype firstSlash = label.indexOf(u'/');
    if (lastSlash > firstSlash && firstSlash >= 0) {
        const QString head = label.left(firstSlash) + u'/' + QChar(0x2026) + u'/'; // "host/…/" or "/…/"
        const QString tail = label.mid(lastSlash + 1);
        const qreal rest = width - metrics.horizontalAdvance(head);
        if (metrics.horizontalAdvance(tail) <= rest)
            return head + tail;
        if (rest >= metrics.horizontalAdvance(QStringLiteral("abcdefgh")))
            return head + metrics.elidedText(tail, Qt::ElideMiddle, rest);
    }
    return metrics.elidedText(label, Qt::ElideMiddle, width);
}

void WaterfallView::paintEvent(QPaintEvent *event)
{
    // A paint that comes before the coalesced relayout (repaint(), an expose) brings the scroll bars up to date
    // itself, so that what it paints and what they say agree.
    if (m_relayoutTimer.isActive())
        updateScrollBars();
    QPainter painter(viewport());
    const WaterfallGeometry g = layoutGeometry();
    const bool dark = isDark();
    painter.fillRect(event->rect(), palette().color(QPalette::Base));
    const int lanes = m_model ? m_model->laneCount() : 0;
    for (int lane = 0; lane < lanes; ++lane) {
        const QRectF laneRect = g.laneRect(lane);
        if (laneRect.right() < 0 || laneRect.left() > g.viewport.width() || laneRect.bottom() < g.headerHeight()
            || laneRect.top() > g.viewport.height())
            continue;
        painter.save();
        painter.setClipRect(
            QRectF(laneRect.left(), g.headerHeight(), laneRect.width(), g.viewport.height() - g.headerHeight()));
        paintLaneRows(painter, g, lane, dark);
        painter.restore();
    }
    int rows = 0;
    for (const int count : g.rowCounts)
        rows += count;
    if (lanes == 0 || (rows == 0 && m_mode == LayoutMode::SideBySide)) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        const QRectF below(0, g.headerHeight(), g.viewport.width(), g.viewport.height() - g.headerHeight());
        painter.drawText(below, Qt::AlignCenter, tr("Waiting for requests…"));
    }
    paintHeader(painter, g, dark);
}

void WaterfallView::paintLaneRows(QPainter &painter, const WaterfallGeometry &g, int lane, bool dark)
{
    const QPalette &pal = palette();
    const QRectF laneRect = g.laneRect(lane);
    const QRectF rows = g.rowsRect(lane);
    const QRectF bars = g.barArea(lane);
    const WaterfallScale scale = g.scale(lane);
    const QColor text = pal.color(QPalette::Text);
    const QColor grid = blend(pal.color(QPalette::Base), text, dark ? 0.16 : 0.10);
    const QColor failed = failedColor(dark);
    const QColor selection = pal.color(QPalette::Highlight);

    if (m_mode == LayoutMode::Stacked) {
        const QRectF title = g.laneTitleRect(lane);
        painter.fillRect(title, blend(pal.color(QPalette::Base), text, dark ? 0.12 : 0.07));
        painter.setPen(text);
        QFont bold = font();
        bold.setBold(true);
        painter.setFont(bold);
        const QString region = m_model->region(lane);
        const QRectF textRect = title.adjusted(g.padding, 0, -g.padding, 0);
        painter.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, region);
        painter.setFont(font());
        const double regionWidth = QFontMetricsF(bold).horizontalAdvance(region) + 2 * g.padding;
        QString summary = requestsText(m_model->requestCount(lane));
        if (const auto metrics = m_model->pageMetrics(lane); metrics && metrics->loadMs)
            summary += QStringLiteral("  ·  ") + tr("load %1").arg(formatSeconds(*metrics->loadMs));
        if (const qsizetype dropped = m_model->droppedCount(lane))
            summary += QStringLiteral("  ·  ") + tr("%1 more not shown").arg(dropped);
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(textRect.adjusted(regionWidth, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, summary);
    } else if (lane > 0) {
        painter.setPen(grid);
        painter.drawLine(QPointF(laneRect.left() - g.laneGap / 2, g.headerHeight()),
            QPointF(laneRect.left() - g.laneGap / 2, g.viewport.height()));
    }

    // The visible part of the lane's rows, for the grid and the markers.
    const double visibleTop = std::max(rows.top(), g.headerHeight());
    const double visibleBottom
        = std::min(m_mode == LayoutMode::SideBySide ? g.viewport.height() : rows.bottom(), g.viewport.height());
    const auto [first, last] = g.visibleRows(lane);

    // Alternate row shading and the selection, under everything else.
    const QColor alternate = pal.color(QPalette::AlternateBase);
    const QModelIndex selected = m_selected;
    const int selectedRow = selected.isValid() && selected.parent().row() == lane ? selected.row() : -1;
    for (int row = first; row <= last; ++row) {
        if (row == selectedRow)
            painter.fillRect(g.rowRect(lane, row), blend(pal.color(QPalette::Base), selection, 0.35));
        else if (row % 2 == 1)
            painter.fillRect(g.rowRect(lane, row), alternate);
    }

    // Grid lines at the axis' ticks.
    const double step = WaterfallGeometry::tickStep(g.spanMs, bars.width(), 70);
    painter.setPen(QPen(grid, 1));
    if (visibleBottom > visibleTop) {
        for (double ms = 0; ms <= g.spanMs + 1e-9; ms += step) {
            const double x = std::round(scale.x(ms)) + 0.5;
            painter.drawLine(QPointF(x, visibleTop), QPointF(x, visibleBottom));
        }
    }

    const int labelWidth = static_cast<int>(g.labelWidth() - 2 * g.padding);
    const double barInset = std::max(3.0, std::round(g.rowHeight * 0.22));
    QPen dashed(text, 1, Qt::DashLine);
    for (int row = first; row <= last; ++row) {
        const RequestTiming *request = m_model->request(lane, row);
        if (!request)
            continue;
        const QRectF rowRect = g.rowRect(lane, row);
        const bool isFailed = request->outcome == RequestTiming::Outcome::Failed;
        painter.setPen(isFailed ? failed : text);
        painter.drawText(g.labelRect(lane, row), Qt::AlignVCenter | Qt::AlignLeft,
            elidedLabel(m_model->label(lane, row), labelWidth));

        const double top = rowRect.top() + barInset;
        const double height = rowRect.height() - 2 * barInset;
        const QList<WaterfallGeometry::PhaseRect> phases = WaterfallGeometry::phaseRects(*request, scale, top, height);
        QRectF whole(scale.x(request->startMs), top, 0, height);
        for (const WaterfallGeometry::PhaseRect &phase : phases) {
            painter.fillRect(phase.rect, WaterfallGeometry::phaseColor(phase.phase, dark));
            whole.setRight(phase.rect.right());
        }
        if (whole.width() < 1) {
            // Too short to see; one pixel still says "here".
            whole.setWidth(1);
            painter.fillRect(whole,
                phases.isEmpty() ? WaterfallGeometry::phaseColor(Phase::Unaccounted, dark)
                                 : WaterfallGeometry::phaseColor(phases.constLast().phase, dark));
        }
        if (isFailed) {
            painter.setPen(QPen(failed, 1.5));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(whole.adjusted(-1, -1, 1, 1));
        }
        if (const auto open = WaterfallGeometry::openEndRect(*request, scale, g.spanMs, top, height)) {
            // Dashed top and bottom edges and no right edge: the request was still going when the load ended.
            painter.setPen(dashed);
            painter.drawLine(open->topLeft(), open->topRight());
            painter.drawLine(open->bottomLeft(), open->bottomRight());
            painter.drawLine(open->topLeft(), open->bottomLeft());
        }
    }

    // Markers over the bars.
    if (const auto metrics = m_model->pageMetrics(lane); metrics && visibleBottom > visibleTop) {
        for (const MarkerValue &marker : markersOf(*metrics)) {
            if (!marker.ms)
                continue;
            const double x = std::round(scale.x(*marker.ms)) + 0.5;
            painter.setPen(QPen(WaterfallGeometry::markerColor(marker.marker, dark), 1.5));
            painter.drawLine(QPointF(x, visibleTop), QPointF(x, visibleBottom));
        }
    }
}

void WaterfallView::paintHeader(QPainter &painter, const WaterfallGeometry &g, bool dark)
{
    const QPalette &pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor muted = pal.color(QPalette::PlaceholderText);
    const QRectF header(0, 0, g.viewport.width(), g.headerHeight());
    painter.fillRect(header, pal.color(QPalette::Window));
    painter.setPen(blend(pal.color(QPalette::Window), text, 0.25));
    painter.drawLine(QPointF(0, header.bottom() - 0.5), QPointF(header.right(), header.bottom() - 0.5));

    // Legend: the phases, then the markers.
    const QFontMetricsF fm(font());
    double x = g.padding;
    const double legendMid = g.legendHeight / 2;
    const double swatch = std::round(fm.height() * 0.6);
    for (const Phase phase :
        { Phase::Blocked, Phase::Dns, Phase::Connect, Phase::Ssl, Phase::Send, Phase::Wait, Phase::Receive }) {
        painter.fillRect(QRectF(x, legendMid - swatch / 2, swatch, swatch), WaterfallGeometry::phaseColor(phase, dark));
        x += swatch + 4;
        const QString name = WaterfallGeometry::phaseName(phase);
        painter.setPen(text);
        painter.drawText(QPointF(x, legendMid + fm.ascent() / 2 - 1), name);
        x += fm.horizontalAdvance(name) + 12;
    }
    const std::pair<Marker, QString> markers[] = { { Marker::FirstContentfulPaint, tr("FCP") },
        { Marker::DomContentLoaded, tr("DCL") }, { Marker::Load, tr("Load") } };
    for (const auto &[marker, name] : markers) {
        painter.setPen(QPen(WaterfallGeometry::markerColor(marker, dark), 2));
        painter.drawLine(QPointF(x + 1, legendMid - swatch / 2 - 1), QPointF(x + 1, legendMid + swatch / 2 + 1));
        x += 6;
        painter.setPen(text);
        painter.drawText(QPointF(x, legendMid + fm.ascent() / 2 - 1), name);
        x += fm.horizontalAdvance(name) + 12;
    }

    const int lanes = m_model ? m_model->laneCount() : 0;
    // Side by side each lane has its title and its copy of the axis; stacked, the lanes share one axis.
    const int axes = m_mode == LayoutMode::SideBySide ? lanes : std::min(lanes, 1);
    QFont bold = font();
    bold.setBold(true);
    for (int lane = 0; lane < axes; ++lane) {
        const QRectF laneRect = g.laneRect(lane);
        if (laneRect.right() < 0 || laneRect.left() > g.viewport.width())
            continue;
        painter.save();
        painter.setClipRect(QRectF(laneRect.left(), 0, laneRect.width(), g.headerHeight()));
        if (m_mode == LayoutMode::SideBySide) {
            const QRectF title = g.laneTitleRect(lane).adjusted(g.padding, 0, -g.padding, 0);
            const QString region = m_model->region(lane);
            painter.setFont(bold);
            painter.setPen(text);
            painter.drawText(title, Qt::AlignVCenter | Qt::AlignLeft, region);
            painter.setFont(font());
            QString summary = requestsText(m_model->requestCount(lane));
            if (const auto metrics = m_model->pageMetrics(lane); metrics && metrics->loadMs)
                summary += QStringLiteral(" · ") + tr("load %1").arg(formatSeconds(*metrics->loadMs));
            if (const qsizetype dropped = m_model->droppedCount(lane))
                summary += QStringLiteral(" · ") + tr("+%1 not shown").arg(dropped);
            painter.setPen(muted);
            painter.drawText(title.adjusted(QFontMetricsF(bold).horizontalAdvance(region) + g.padding, 0, 0, 0),
                Qt::AlignVCenter | Qt::AlignLeft, fm.elidedText(summary, Qt::ElideRight, title.width()));
        }
        // The axis: tick marks and labels on the shared scale.
        const QRectF axis = g.axisRect(lane);
        const WaterfallScale scale = g.scale(lane);
        const double step = WaterfallGeometry::tickStep(g.spanMs, axis.width(), 70);
        painter.setPen(muted);
        double labelsEnd = -1e9;
        for (double ms = 0; ms <= g.spanMs + 1e-9; ms += step) {
            const double tx = std::round(scale.x(ms)) + 0.5;
            painter.drawLine(QPointF(tx, axis.bottom() - 4), QPointF(tx, axis.bottom()));
            const QString label = WaterfallGeometry::tickLabel(ms, step, g.spanMs);
            const double width = fm.horizontalAdvance(label);
            // Labels sit right of their tick; the last one goes left of it when it would leave the lane, unless
            // that is where the previous label is.
            const double lx = tx + 3 + width > laneRect.right() ? tx - 3 - width : tx + 3;
            if (lx < labelsEnd + 12)
                continue;
            painter.drawText(QPointF(lx, axis.bottom() - 5), label);
            labelsEnd = lx + width;
        }
        // Side by side, each lane's markers as small triangles on its axis (stacked, the one axis would mix every
        // lane's).
        painter.setRenderHint(QPainter::Antialiasing);
        if (const auto metrics = m_model->pageMetrics(lane); metrics && m_mode == LayoutMode::SideBySide) {
            for (const MarkerValue &marker : markersOf(*metrics)) {
                if (!marker.ms)
                    continue;
                const double mx = std::round(scale.x(*marker.ms)) + 0.5;
                QPainterPath triangle;
                triangle.moveTo(mx - 4, axis.bottom() - 6);
                triangle.lineTo(mx + 4, axis.bottom() - 6);
                triangle.lineTo(mx, axis.bottom());
                triangle.closeSubpath();
                painter.fillPath(triangle, WaterfallGeometry::markerColor(marker.marker, dark));
            }
        }
        painter.setRenderHint(QPainter::Antialiasing, false);
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
    // A click beside the rows clears the selection.
    const QModelIndex index = rowAt(event->position().toPoint());
    m_selected = index;
    viewport()->update();
    if (!index.isValid()) {
        QToolTip::hideText();
        return;
    }
    const int lane = index.parent().row();
    const RequestTiming *request = m_model->request(lane, index.row());
    if (!request)
        return;
    const QString region = m_model->region(lane);
    const RequestTiming clicked = *request; // the signal's receivers may change the model
    QToolTip::showText(event->globalPosition().toPoint(), detailsText(region, clicked), viewport());
    emit requestClicked(region, clicked);
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
        const QModelIndex index = rowAt(help->pos());
        if (!index.isValid()) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const int lane = index.parent().row();
        if (const RequestTiming *request = m_model->request(lane, index.row())) {
            const QRect rowRect = layoutGeometry().rowRect(lane, index.row()).toAlignedRect();
            QToolTip::showText(help->globalPos(), detailsText(m_model->region(lane), *request), viewport(), rowRect);
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}
