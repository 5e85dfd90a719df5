#pragma once

#include <QList>
#include <QRectF>

#include <functional>

class QPainter;

// The report's pages: a column of blocks, each never cut across pages, laid onto pages of one height. A block that
// does not fit in what is left of a page starts the next one; a heading (keepWithNext) goes with the block after
// it; a table row that starts a page has its table's header drawn again above it. A block taller than a whole page
// starts one (after its headings) and is scaled down to the room left there, so it never runs into the footer.
//
// It knows nothing of what the blocks show: PdfReport fills it and paints the placements, tests check them.
class ReportLayout final
{
public:
    struct Block
    {
        double height = 0;
        double spaceBefore = 0; // dropped at the top of a page
        bool keepWithNext = false; // a heading: moves to the next page with the block after it
        int repeatHeader = -1; // a table row: the block to draw again above it when it starts a page
        // Paints the block into a rectangle of the column's width and the block's height.
        std::function<void(QPainter &, const QRectF &)> paint;
    };

    struct Placement
    {
        int page = 0;
        int block = 0;
        double top = 0;
        double scale = 1; // below 1 for a block taller than the room it was given
    };

    struct Pages
    {
        QList<Placement> placements; // in painting order, a repeated header before its row
        int count = 0;
    };

    // Its index, for repeatHeader.
    int append(Block block);
    const QList<Block> &blocks() const { return m_blocks; }

    // The blocks laid onto pages `pageHeight` high.
    Pages paginate(double pageHeight) const;

private:
    double neededFrom(int index, double pageHeight) const;

    QList<Block> m_blocks;
};
