#pragma once

#include "reportlayout.h"
#include "reportregionsummary.h"
#include "testrecord.h"
#include "waterfallpainter.h"

#include <QFontMetricsF>
#include <QList>

class QPaintDevice;

// The PDF report's "Slowest requests" section, as blocks for ReportLayout: the phases' legend, then per region the
// slowest requests of its median run (WaterfallPainter) with, when they were recorded, that run's filmstrip on the
// same time axis (FilmstripPainter) and its screenshot; for a script that measures several steps, those blocks for
// each step of that run, each titled with its step. It is apart from ReportContent because it alone reads a
// run's requests, frames and screenshot; the other blocks read the regions' summaries.
//
// Lengths are ReportContent's (mm(), pt()), and so is the paper. The blocks' painters refer to this object: it
// outlives the painting (ReportContent holds it).
class ReportWaterfalls final
{
    Q_DISABLE_COPY_MOVE(ReportWaterfalls)

public:
    // For `test`'s regions, in a column `width` wide on `device`.
    ReportWaterfalls(const TestRecord &test, const QPaintDevice *device, double width);

    // The waterfalls' colours, as the window shows them (before build()).
    void setColouring(WaterfallPainter::Colouring colouring) { m_colouring = colouring; }
    // Appends the legend and each region's blocks, in the regions' order.
    void build(ReportLayout &layout, const QList<ReportRegionSummary> &regions);

private:
    QFontMetricsF metrics(const QFont &font) const { return QFontMetricsF(font, m_device); }
    void addWaterfall(const ReportRegionSummary &region);
    // The blocks of the run's step `step` (0: its first view, step 1): its slowest requests, filmstrip, screenshot.
    void addStepWaterfall(const ReportRegionSummary &region, const RegionRun *run, qsizetype step);
    // The screenshot the probe took at the end of the view (the run's step `step`), under its waterfall; nothing
    // without one.
    void addScreenshot(const ViewResult &view, const RegionRun &run, qsizetype step);
    // The view's filmstrip under its waterfall, on the waterfall's axis.
    void addFilmstrip(const ViewResult &view, const WaterfallPainter::LaneLayout &lanes, double spanMs);

    const TestRecord &m_test;
    const QPaintDevice *m_device;
    WaterfallPainter::Colouring m_colouring = WaterfallPainter::Colouring::Phases;
    double m_width;
    ReportLayout *m_layout = nullptr; // while build() runs
};
