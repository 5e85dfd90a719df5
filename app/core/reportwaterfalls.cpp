#include "reportwaterfalls.h"

#include "filmstrippainter.h"
#include "model/displayformat.h"
#include "model/pagemetric.h"
#include "reportcontent.h"
#include "theme.h"
#include "waterfallgeometry.h"

#include <QImage>
#include <QPainter>

#include <algorithm>
#include <memory>

namespace {

constexpr int slowestCount = 10;
using Block = ReportLayout::Block;
using Status = ReportRegionSummary::Status;

double requestDuration(const RequestTiming &request)
{
    return request.durationMs.value_or(request.phases.sum());
}

// The slowest requests of `run`, in the order they started (so the bars still read as a waterfall), on an axis
// that holds them and the page's markers.
WaterfallPainter::Lane slowestLane(const ViewResult *view, bool measured)
{
    WaterfallPainter::Lane lane;
    QList<RequestTiming> slowest = view ? view->requests : QList<RequestTiming>();
    // The requests the test blocked are never slow, but the reader should see them (greyed, marked blocked): they
    // come along beside the slowest, up to as many again.
    QList<RequestTiming> blocked;
    for (const RequestTiming &request : std::as_const(slowest)) {
        if (request.blocked && blocked.size() < slowestCount)
            blocked.append(request);
    }
    slowest.removeIf([](const RequestTiming &request) { return request.blocked; });
    std::stable_sort(slowest.begin(), slowest.end(),
        [](const RequestTiming &a, const RequestTiming &b) { return requestDuration(a) > requestDuration(b); });
    if (slowest.size() > slowestCount)
        slowest.resize(slowestCount);
    slowest += blocked;
    std::stable_sort(slowest.begin(), slowest.end(),
        [](const RequestTiming &a, const RequestTiming &b) { return a.startMs < b.startMs; });
    double spanMs = 0;
    for (const RequestTiming &request : std::as_const(slowest)) {
        spanMs = std::max(spanMs, request.startMs + requestDuration(request));
        lane.durations.append(DisplayFormat::duration(requestDuration(request), QLocale()));
    }
    if (view && measured) {
        const PageMetrics &metrics = view->metrics;
        lane.metrics = metrics;
        lane.longTasks = view->longTasks;
        for (const LongTask &task : std::as_const(lane.longTasks))
            spanMs = std::max(spanMs, task.endMs());
        for (const std::optional<double> &marker :
            { metrics.firstContentfulPaintMs, metrics.domContentLoadedMs, metrics.loadMs })
            spanMs = std::max(spanMs, marker.value_or(0));
    }
    lane.spanMs = WaterfallGeometry::spanFor(std::max(spanMs, 1.0));
    lane.requests = slowest;
    return lane;
}

// Of the run's step `step` (0: its first view, step 1).
QString waterfallSubtitle(
    const ReportRegionSummary &region, const RegionRun *run, qsizetype step, qsizetype total, int runs)
{
    if (!run)
        return QObject::tr("No run: %1").arg(region.failure);
    if (total == 0) {
        return region.failure.isEmpty() ? QObject::tr("No requests were recorded.")
                                        : QObject::tr("Failed before any request was recorded: %1").arg(region.failure);
    }
    QString subtitle = runs > 1 ? QObject::tr("Run %1 of %2").arg(run->index).arg(runs) : QObject::tr("The run");
    const ViewResult &view = run->stepView(step);
    if (run->stepMeasured(step) && view.metrics.loadMs)
        subtitle += QStringLiteral(" · ")
            + QObject::tr("load %1").arg(DisplayFormat::duration(view.metrics.loadMs, QLocale()));
    subtitle += QStringLiteral(" · ")
        + (total > slowestCount
                ? QObject::tr("the %1 slowest of %2 requests").arg(slowestCount).arg(total)
                : (total == 1 ? QObject::tr("its only request") : QObject::tr("all %1 requests").arg(total)));
    const auto blocked = std::count_if(
        view.requests.cbegin(), view.requests.cend(), [](const RequestTiming &request) { return request.blocked; });
    if (blocked > 0)
        subtitle += QStringLiteral(" · ") + QObject::tr("%1 blocked by the test's settings").arg(blocked);
    if (step > 0 && view.error)
        subtitle += QStringLiteral(" · ") + QObject::tr("failed: %1").arg(view.error->message);
    else if (step == 0 && !run->ok() && !region.failure.isEmpty())
        subtitle += QStringLiteral(" · ") + QObject::tr("failed: %1").arg(region.failure);
    return subtitle;
}

} // namespace

ReportWaterfalls::ReportWaterfalls(const TestRecord &test, const QPaintDevice *device, double width)
    : m_test(test)
    , m_device(device)
    , m_width(width)
{ }

void ReportWaterfalls::build(ReportLayout &layout, const QList<ReportRegionSummary> &regions)
{
    m_layout = &layout;
    Block legend;
    legend.height = ReportContent::mm(5);
    legend.keepWithNext = true;
    legend.paint = [this](QPainter &painter, const QRectF &rect) {
        WaterfallPainter waterfall(ReportContent::paper(), ReportContent::font(7), m_device, ReportContent::unit());
        waterfall.setColouring(m_colouring);
        waterfall.paintLegend(painter, rect);
    };
    m_layout->append(legend);
    for (const ReportRegionSummary &region : regions)
        addWaterfall(region);
    m_layout = nullptr;
}

void ReportWaterfalls::addWaterfall(const ReportRegionSummary &region)
{
    // The run RegionSummary picks: the median run by load time, else a failed region's fullest partial load.
    const RegionRun *run = nullptr;
    if (const auto record = m_test.results.constFind(region.code); record != m_test.results.constEnd()) {
        for (const RegionRun &candidate : record->runs) {
            if (region.representativeRun && candidate.index == *region.representativeRun)
                run = &candidate;
        }
    }
    // A script's steps: a block per step of that run, each on its own time axis from its step's navigation, as
    // WebPageTest shows a waterfall per step.
    const qsizetype steps = run ? run->stepCount() : 1;
    for (qsizetype step = 0; step < steps; ++step)
        addStepWaterfall(region, run, step);
}

void ReportWaterfalls::addStepWaterfall(const ReportRegionSummary &region, const RegionRun *run, qsizetype step)
{
    const QFont titleFont = ReportContent::font(9.5, true);
    const QFont subFont = ReportContent::font(7);
    const QFont rowFont = ReportContent::font(6.5);
    const double titleHeight = metrics(titleFont).height();
    const double subHeight = metrics(subFont).height();
    WaterfallPainter::LaneLayout lanes;
    lanes.rowHeight = std::max(ReportContent::mm(4.2), metrics(rowFont).height() * 1.3);
    lanes.axisHeight = metrics(rowFont).height() + ReportContent::mm(1);
    lanes.labelWidth = m_width * 0.36;
    lanes.durationWidth = ReportContent::mm(14);

    const ViewResult *view = run ? &run->stepView(step) : nullptr;
    const WaterfallPainter::Lane lane = slowestLane(view, run && run->stepMeasured(step));
    const qsizetype total = view ? view->requests.size() : 0;
    const QString subtitle = waterfallSubtitle(region, run, step, total, m_test.runsPerRegion);
    const QString title = run && run->stepCount() > 1
        ? QObject::tr("%1 · Step %2: %3").arg(region.name).arg(step + 1).arg(run->stepLabel(step))
        : region.name;
    const bool failed = step == 0 ? region.status == Status::Failed : view && view->error.has_value();

    Block block;
    block.spaceBefore = ReportContent::mm(4);
    block.height = titleHeight + subHeight + ReportContent::mm(1.5)
        + WaterfallPainter::laneHeight(lanes, WaterfallPainter::rowCount(lane));
    block.paint = [=, this](QPainter &painter, const QRectF &rect) {
        double y = rect.top();
        painter.setFont(titleFont);
        painter.setPen(ReportContent::paper().text());
        painter.drawText(QRectF(rect.left(), y, rect.width(), titleHeight), Qt::AlignLeft | Qt::AlignVCenter,
            metrics(titleFont).elidedText(title, Qt::ElideRight, rect.width()));
        y += titleHeight;
        painter.setFont(subFont);
        painter.setPen(failed ? ReportContent::paper().error() : ReportContent::paper().muted());
        painter.drawText(QRectF(rect.left(), y, rect.width(), subHeight), Qt::AlignLeft | Qt::AlignVCenter,
            metrics(subFont).elidedText(subtitle, Qt::ElideRight, rect.width()));
        y += subHeight + ReportContent::mm(1.5);
        WaterfallPainter waterfall(ReportContent::paper(), rowFont, m_device, ReportContent::unit());
        waterfall.setColouring(m_colouring);
        waterfall.paintLane(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y), lane, lanes);
    };
    m_layout->append(block);
    if (view && !view->filmstrip.isEmpty())
        addFilmstrip(*view, lanes, lane.spanMs);
    if (view)
        addScreenshot(*view, *run, step);
}

void ReportWaterfalls::addScreenshot(const ViewResult &view, const RegionRun &run, qsizetype step)
{
    if (view.screenshotPng.isEmpty())
        return;
    const QImage shot = QImage::fromData(view.screenshotPng, "PNG");
    if (shot.isNull())
        return;
    const QFont captionFont = ReportContent::font(7);
    const double captionHeight = metrics(captionFont).height();
    // Large enough to recognise the page, small enough that a region's waterfall and its screenshot share a page.
    QSizeF size = QSizeF(shot.size()).scaled(QSizeF(m_width * 0.45, ReportContent::mm(60)), Qt::KeepAspectRatio);
    const QString caption = run.stepCount() > 1
        ? QObject::tr("Screenshot at the end of run %1's step %2").arg(run.index).arg(step + 1)
        : QObject::tr("Screenshot at the end of run %1's load").arg(run.index);
    Block block;
    block.spaceBefore = ReportContent::mm(1.5);
    block.height = captionHeight + ReportContent::mm(1) + size.height();
    block.paint = [=](QPainter &painter, const QRectF &rect) {
        painter.setFont(captionFont);
        painter.setPen(ReportContent::paper().muted());
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), captionHeight), Qt::AlignLeft | Qt::AlignVCenter, caption);
        const QRectF target(QPointF(rect.left(), rect.top() + captionHeight + ReportContent::mm(1)), size);
        painter.drawImage(target, shot);
        painter.setPen(QPen(ReportContent::paper().rule(), ReportContent::unit()));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(target);
    };
    m_layout->append(block);
}

void ReportWaterfalls::addFilmstrip(const ViewResult &view, const WaterfallPainter::LaneLayout &lanes, double spanMs)
{
    // On the waterfall's time axis, right under it: its bars start after the label column.
    const QFont labelFont = ReportContent::font(6.5);
    const FilmstripPainter filmstrip(ReportContent::paper(), labelFont, m_device, ReportContent::unit());
    const auto frames = std::make_shared<FilmstripPainter::Frames>(FilmstripPainter::decode(view.filmstrip));
    if (frames->isEmpty())
        return;
    const QString caption = QObject::tr("Filmstrip · Speed Index %1")
                                .arg(PageMetric::get(PageMetric::Id::SpeedIndex).format(view.metrics, QLocale()));
    Block block;
    block.spaceBefore = ReportContent::mm(1);
    block.height = filmstrip.height(ReportContent::mm(14));
    block.paint = [=](QPainter &painter, const QRectF &rect) {
        const QRectF bars = WaterfallPainter::laneBars(rect, lanes, 0);
        painter.setFont(labelFont);
        painter.setPen(ReportContent::paper().muted());
        painter.drawText(QRectF(rect.left(), rect.top(), lanes.labelWidth - ReportContent::mm(2), rect.height()),
            Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, caption);
        const FilmstripPainter::Axis axis { bars.left(), bars.width() / spanMs, spanMs };
        filmstrip.paint(painter, QRectF(bars.left(), rect.top(), bars.width(), rect.height()), *frames, axis);
    };
    m_layout->append(block);
}
