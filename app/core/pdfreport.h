#pragma once

#include "regioncatalog.h"
#include "testrecord.h"
#include "waterfallpainter.h"

#include <QLocale>
#include <QPageSize>
#include <QString>

#include <optional>

class QPainter;
class QRectF;

// One test as a printable PDF (QPdfWriter, 300 dpi): what ReportContent says (the title, URL, date and settings;
// the world map; the table of medians per region, failures with their reason; the timings chart; per region the
// slowest requests of its median run), laid onto pages by ReportLayout: blocks are never cut across pages, a
// heading goes with the block after it, and the table repeats its header. Each page has its number
// ("Page 2 of 4") in the footer.
//
// The paper is Letter where the locale's territory uses it (the US, Canada, Mexico, …), A4 elsewhere. It paints
// with QPainter alone, no widget, so the app and worldspeed-cli both write it; the fonts need a QGuiApplication.
class PdfReport final
{
public:
    // `catalog` names the regions and places them on the map; a region it does not know is listed by its code
    // and left off the map.
    PdfReport(TestRecord test, RegionCatalog catalog);

    void setPageSize(const QPageSize &size) { m_pageSize = size; }
    QPageSize pageSize() const;
    // What the generator puts in the PDF's metadata.
    void setCreator(const QString &creator) { m_creator = creator; }
    // The waterfalls' colours: by phase (the default) or by content type, as the window's View menu says.
    void setWaterfallColouring(WaterfallPainter::Colouring colouring) { m_colouring = colouring; }

    // Writes the file atomically (QSaveFile). False, with the reason, when it cannot.
    bool write(const QString &path, QString *error);
    // Pages of the last write().
    int pageCount() const { return m_pageCount; }

    // Letter for the territories that use it (CLDR's list: US, CA, MX, PH, CL, CO, VE, …), else A4.
    static QPageSize::PageSizeId pageSizeFor(QLocale::Territory territory);

private:
    void paintFooter(QPainter &painter, const QRectF &rect, int page, int pages) const;

    TestRecord m_test;
    RegionCatalog m_catalog;
    std::optional<QPageSize> m_pageSize;
    WaterfallPainter::Colouring m_colouring = WaterfallPainter::Colouring::Phases;
    QString m_creator = QStringLiteral("WorldSpeed");
    int m_pageCount = 0;
};
