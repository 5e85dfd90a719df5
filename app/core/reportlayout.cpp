#include "reportlayout.h"

namespace {

constexpr double slack = 1e-6; // rounding in the heights' sums must not push a block that fits exactly

} // namespace

int ReportLayout::append(Block block)
{
    m_blocks.append(std::move(block));
    return int(m_blocks.size()) - 1;
}

double ReportLayout::neededFrom(int index, double pageHeight) const
{
    // A heading needs the block after it on the same page (and that one the next, if it is a heading too).
    double needed = m_blocks.at(index).height;
    for (int j = index; j + 1 < m_blocks.size() && m_blocks.at(j).keepWithNext && needed <= pageHeight; ++j)
        needed += m_blocks.at(j + 1).spaceBefore + m_blocks.at(j + 1).height;
    return needed;
}

ReportLayout::Pages ReportLayout::paginate(double pageHeight) const
{
    Pages pages;
    int page = 0;
    double y = 0;
    // Whether everything on this page so far leads into the current block (its headings, its table's header):
    // then breaking the page would leave them behind for nothing.
    bool leadInsOnly = true;
    for (int i = 0; i < m_blocks.size(); ++i) {
        const Block &block = m_blocks.at(i);
        const double needed = (y > 0 ? block.spaceBefore : 0) + neededFrom(i, pageHeight);
        if (y > 0 && !leadInsOnly && y + needed > pageHeight + slack) {
            ++page;
            y = 0;
            leadInsOnly = true;
            if (block.repeatHeader >= 0) {
                pages.placements.append(Placement { page, block.repeatHeader, y, 1 });
                y += m_blocks.at(block.repeatHeader).height;
            }
        }
        if (y > 0)
            y += block.spaceBefore;
        const double room = pageHeight - y;
        const double scale = block.height > room + slack && block.height > 0 ? std::max(0.0, room) / block.height : 1;
        pages.placements.append(Placement { page, i, y, scale });
        y += block.height * scale;
        leadInsOnly = leadInsOnly && block.keepWithNext;
    }
    pages.count = page + 1;
    return pages;
}
