#include "pdfreport.h"

#include "reportcontent.h"
#include "reportlayout.h"
#include "theme.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

#include <set>

PdfReport::PdfReport(TestRecord test, RegionCatalog catalog)
    : m_test(std::move(test))
    , m_catalog(std::move(catalog))
{ }

QPageSize::PageSizeId PdfReport::pageSizeFor(QLocale::Territory territory)
{
    // CLDR supplemental data, paperSize "US-Letter".
    static const std::set<QLocale::Territory> letter { QLocale::UnitedStates, QLocale::Canada, QLocale::Mexico,
        QLocale::Belize, QLocale::Chile, QLocale::Colombia, QLocale::CostaRica, QLocale::Guatemala, QLocale::Nicaragua,
        QLocale::Panama, QLocale::Philippines, QLocale::PuertoRico, QLocale::ElSalvador, QLocale::Venezuela };
    return letter.count(territory) ? QPageSize::Letter : QPageSize::A4;
}

QPageSize PdfReport::pageSize() const
{
    return m_pageSize ? *m_pageSize : QPageSize(pageSizeFor(QLocale::system().territory()));
}

void PdfReport::paintFooter(QPainter &painter, const QRectF &rect, int page, int pages) const
{
    const Theme paper = Theme::paper();
    const QFont font = ReportContent::font(7);
    const QFontMetricsF fm(font, painter.device());
    QString left = QStringLiteral("WorldSpeed · ") + m_test.url;
    if (m_test.startedAt.isValid())
        left += QStringLiteral(" · ") + QLocale().toString(m_test.startedAt.toLocalTime(), QLocale::ShortFormat);
    const QString right = QObject::tr("Page %1 of %2").arg(page + 1).arg(pages);
    const double rightWidth = fm.horizontalAdvance(right);
    painter.save();
    painter.setPen(QPen(paper.rule(), ReportContent::pt(0.5)));
    painter.drawLine(rect.topLeft(), rect.topRight());
    painter.setFont(font);
    painter.setPen(paper.muted());
    const QRectF line = rect.adjusted(0, ReportContent::mm(1), 0, 0);
    const double leftWidth = line.width() - rightWidth - ReportContent::mm(6);
    painter.drawText(QRectF(line.left(), line.top(), leftWidth, line.height()), Qt::AlignLeft | Qt::AlignTop,
        fm.elidedText(left, Qt::ElideMiddle, leftWidth));
    painter.drawText(line, Qt::AlignRight | Qt::AlignTop, right);
    painter.restore();
}

bool PdfReport::write(const QString &path, QString *error)
{
    m_pageCount = 0;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QObject::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QPdfWriter writer(&file);
    writer.setResolution(ReportContent::resolution);
    writer.setPageSize(pageSize());
    writer.setPageMargins(QMarginsF(16, 14, 16, 14), QPageLayout::Millimeter);
    writer.setTitle(QObject::tr("WorldSpeed: %1").arg(m_test.url));
    writer.setCreator(m_creator);

    const QRect paintRect = writer.pageLayout().paintRectPixels(ReportContent::resolution);
    const double footerHeight = ReportContent::mm(8);
    const double width = paintRect.width();
    const double height = paintRect.height() - footerHeight;
    const QRectF footer(0, height + ReportContent::mm(3), width, footerHeight - ReportContent::mm(3));

    ReportContent content(m_test, m_catalog, &writer, width, height);
    content.setWaterfallColouring(m_colouring);
    ReportLayout layout;
    content.build(layout);
    const ReportLayout::Pages pages = layout.paginate(height);

    QPainter painter;
    if (!painter.begin(&writer)) {
        *error = QObject::tr("cannot start a PDF in %1").arg(path);
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    int page = 0;
    for (const ReportLayout::Placement &placement : pages.placements) {
        while (page < placement.page) {
            paintFooter(painter, footer, page, pages.count);
            writer.newPage();
            ++page;
        }
        const ReportLayout::Block &block = layout.blocks().at(placement.block);
        painter.save();
        // A block taller than its room is drawn smaller, aspect kept, rather than over the footer.
        painter.translate(0, placement.top);
        painter.scale(placement.scale, placement.scale);
        block.paint(painter, QRectF(0, 0, width, block.height));
        painter.restore();
    }
    paintFooter(painter, footer, page, pages.count);
    if (!painter.end()) {
        *error = QObject::tr("cannot finish the PDF %1").arg(path);
        return false;
    }
    if (!file.commit()) {
        *error = QObject::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    m_pageCount = pages.count;
    return true;
}
