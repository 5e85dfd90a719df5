#pragma once

#include <QTableView>

// The region table: every column in view down to a 1024-pixel window. Each column is as wide as its values and its
// title. When they do not all fit, the table first takes room from its neighbour in a splitter (the map), down to
// that one's minimum; then titles give way (elided, their tool tips say them in full), then the region and state
// columns down to a floor (their cells elided, the full text in a tool tip). Its minimum width is what that squeeze
// leaves. Tab leaves the table for the next control instead of walking every cell; the arrows move inside it.
class RegionTableView final : public QTableView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegionTableView)

public:
    explicit RegionTableView(QWidget *parent = nullptr);

    // Sets the columns' widths for the viewport; the window calls it when it hides or shows a column.
    void fitColumns();
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    struct Widths
    {
        QList<int> natural; // values and title in full
        QList<int> squeezed; // what each may shrink to
        int naturalTotal = 0;
        int squeezedTotal = 0;
    };
    Widths measure() const;
    // In a splitter with one other widget: the table `wanted` pixels wide where the other's minimum allows, the
    // other the rest up to its size hint.
    void balanceSplitter(int wanted);
    bool m_fitting = false;
    int m_naturalTotal = -1; // measure()'s as of the last balanceSplitter()
    int m_roomAround = -1; // the splitter's width, likewise
    int m_squeezedTotal = 0; // measure()'s, as of the last fitColumns()
};
