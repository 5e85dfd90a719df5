#include "regiontableview.h"

#include <QHeaderView>
#include <QHelpEvent>
#include <QScrollBar>
#include <QSplitter>
#include <QToolTip>

#include <algorithm>

namespace {

// The region (a city) and the state (with a failure's first words) may be cut: each says enough in 9 characters,
// and the rest is in the tool tip. A metric is never cut: "1.23 s" cut is a wrong number.
constexpr int regionColumn = 0;
constexpr int stateColumn = 1;
constexpr int textFloorChars = 12;

} // namespace

RegionTableView::RegionTableView(QWidget *parent)
    : QTableView(parent)
{
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setTextElideMode(Qt::ElideRight);
    setTextElideMode(Qt::ElideRight);
    setWordWrap(false);
    setTabKeyNavigation(false);
}

RegionTableView::Widths RegionTableView::measure() const
{
    Widths widths;
    if (!model())
        return widths;
    const QFontMetrics header = horizontalHeader()->fontMetrics();
    // The header's own margins and sort arrow, beside its elided text.
    const int headerFloor = header.horizontalAdvance(QStringLiteral("Wa…")) + 2 * header.averageCharWidth();
    const int textFloor = fontMetrics().averageCharWidth() * textFloorChars;
    // A column waiting for its first value (before any test) may shrink to a letter of its title.
    const int emptyFloor = header.averageCharWidth() * 4;
    for (int c = 0; c < model()->columnCount(); ++c) {
        const bool hidden = isColumnHidden(c);
        bool empty = true;
        for (int row = 0; row < model()->rowCount() && empty; ++row)
            empty = model()->index(row, c).data().toString().isEmpty();
        const int values = hidden || empty ? 0 : sizeHintForColumn(c);
        const int title = hidden ? 0 : horizontalHeader()->sectionSizeHint(c);
        const int natural = std::max(values, title);
        int squeezed = std::max(values, std::min(title, empty ? emptyFloor : headerFloor));
        if (c == regionColumn || c == stateColumn)
            squeezed = std::min(natural, std::max(textFloor, headerFloor));
        widths.natural.append(natural);
        widths.squeezed.append(hidden ? 0 : squeezed);
        widths.naturalTotal += natural;
        widths.squeezedTotal += hidden ? 0 : squeezed;
    }
    return widths;
}

void RegionTableView::fitColumns()
{
    if (m_fitting || !model())
        return;
    m_fitting = true;
    const Widths widths = measure();
    // Only when the content or the room changed: a splitter handle the user dragged stays where it was put.
    const int around = parentWidget() ? parentWidget()->width() : 0;
    if (isVisible() && (widths.naturalTotal != m_naturalTotal || around != m_roomAround)) {
        m_naturalTotal = widths.naturalTotal;
        m_roomAround = around;
        balanceSplitter(widths.naturalTotal + width() - viewport()->width());
    }
    const int room = viewport()->width();
    const int columns = static_cast<int>(widths.natural.size());
    // From each column's natural width towards its squeezed one, the same share of the way for all, just enough.
    const int give = std::max(0, widths.naturalTotal - room);
    const int canGive = widths.naturalTotal - widths.squeezedTotal;
    const double share = canGive > 0 ? std::min(1.0, double(give) / canGive) : 0;
    for (int c = 0; c < columns; ++c) {
        if (isColumnHidden(c))
            continue;
        const int slack = widths.natural.at(c) - widths.squeezed.at(c);
        setColumnWidth(c, widths.natural.at(c) - static_cast<int>(std::ceil(slack * share)));
    }
    m_fitting = false;
    // A splitter beside the table reads the new minimum (only when it changed: that relays the window out).
    if (widths.squeezedTotal != m_squeezedTotal) {
        m_squeezedTotal = widths.squeezedTotal;
        updateGeometry();
    }
}

void RegionTableView::balanceSplitter(int wanted)
{
    // Beside the map: the table as wide as its columns want, the map the rest up to its own size hint. The map
    // keeps its aspect ratio, so narrower it only letterboxes less, while a cut table loses numbers.
    auto *splitter = qobject_cast<QSplitter *>(parentWidget());
    if (!splitter || splitter->orientation() != Qt::Horizontal || splitter->count() != 2)
        return;
    const int self = splitter->indexOf(this);
    const QWidget *other = splitter->widget(1 - self);
    QList<int> sizes = splitter->sizes();
    const int total = sizes.at(0) + sizes.at(1);
    const int table
        = std::clamp(std::max(wanted, total - other->sizeHint().width()), 0, total - other->minimumSizeHint().width());
    sizes[self] = std::max(table, minimumSizeHint().width());
    sizes[1 - self] = total - sizes[self];
    if (sizes != splitter->sizes())
        splitter->setSizes(sizes);
}

QSize RegionTableView::minimumSizeHint() const
{
    const QSize base = QTableView::minimumSizeHint();
    const int frame = 2 * frameWidth() + verticalScrollBar()->sizeHint().width();
    return { std::max(base.width(), m_squeezedTotal + frame), base.height() };
}

void RegionTableView::resizeEvent(QResizeEvent *event)
{
    QTableView::resizeEvent(event);
    fitColumns();
}

bool RegionTableView::viewportEvent(QEvent *event)
{
    // A cut cell without a tool tip of its own shows its text in full.
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QModelIndex index = indexAt(help->pos());
        if (index.isValid() && !index.data(Qt::ToolTipRole).isValid()) {
            const QString text = index.data().toString();
            if (fontMetrics().horizontalAdvance(text) > visualRect(index).width() - 6) {
                QToolTip::showText(help->globalPos(), text, viewport(), visualRect(index));
                return true;
            }
        }
    }
    return QTableView::viewportEvent(event);
}
