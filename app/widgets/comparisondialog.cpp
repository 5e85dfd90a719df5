#include "comparisondialog.h"

#include "comparisonmodel.h"
#include "filmstripview.h"
#include "testrecord.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

ComparisonDialog::ComparisonDialog(const TestRecord &a, const TestRecord &b, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Compare tests"));
    auto *layout = new QVBoxLayout(this);
    // Each side's settings named: a 2G and a Native test of one URL are not alike, nor a phone at CPU 4× and at 1×.
    const auto describe = [](const TestRecord &t) {
        const QString device = tr("%1, CPU %2×%3")
                                   .arg(t.options.device)
                                   .arg(t.options.effectiveCpuSlowdown())
                                   .arg(t.options.cpuSlowdownRelative ? tr(" of the reference") : QString());
        return QStringLiteral("%1 · %2 · %3 · %4 · %5")
            .arg(QLocale().toString(t.startedAt.toLocalTime(), QLocale::ShortFormat), t.url, t.options.profile, device,
                t.runsPerRegion == 1 ? tr("1 run") : tr("%1 runs").arg(t.runsPerRegion));
    };
    layout->addWidget(new QLabel(
        tr("<b>A</b> %1<br><b>B</b> %2").arg(describe(a).toHtmlEscaped(), describe(b).toHtmlEscaped()), this));
    auto *model = new ComparisonModel(this);
    model->setTests(a, b);
    auto *table = new QTableView(this);
    table->setObjectName(QStringLiteral("comparisonTable"));
    table->setModel(model);
    table->verticalHeader()->hide();
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // A over B, on one time axis: the eye compares bars that stand above each other.
    auto *waterfalls = new QSplitter(Qt::Vertical, this);
    QList<WaterfallView *> views;
    double span = 0;
    for (const TestRecord *test : { &a, &b }) {
        auto *waterfallModel = new WaterfallModel(this);
        waterfallModel->setTest(*test);
        waterfallModel->setView(WaterfallModel::RepresentativeRun, RunView::First); // each region's median run
        span = std::max(span, waterfallModel->maxEndMs());
        // Each test's waterfall with its filmstrips under it, so the two loads can be watched side by side.
        auto *column = new QWidget(waterfalls);
        auto *columnLayout = new QVBoxLayout(column);
        columnLayout->setContentsMargins(0, 0, 0, 0);
        columnLayout->addWidget(new QLabel(test == &a ? tr("<b>A</b>") : tr("<b>B</b>"), column));
        auto *view = new WaterfallView(column);
        view->setObjectName(test == &a ? QStringLiteral("waterfallA") : QStringLiteral("waterfallB"));
        view->setModel(waterfallModel);
        view->setLayoutMode(WaterfallView::LayoutMode::Stacked);
        auto *filmstrips = new FilmstripView(view, column);
        filmstrips->setTest(*test);
        columnLayout->addWidget(view, 1);
        columnLayout->addWidget(filmstrips);
        waterfalls->addWidget(column);
        views.append(view);
    }
    // One time scale for both, or 1 s of one would look as long as 6 s of the other.
    for (WaterfallView *view : std::as_const(views))
        view->setMinimumSpanMs(span);
    // The numbers beside the waterfalls: a metric a row fits in a narrow column, and the waterfalls keep the width
    // that their time axis needs.
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(table);
    split->addWidget(waterfalls);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    resize(1300, 800);
    // As wide as its columns, a vertical scroll bar included: it never needs to scroll sideways.
    table->resizeColumnsToContents();
    table->setMinimumWidth(
        table->horizontalHeader()->length() + table->frameWidth() * 2 + table->verticalScrollBar()->sizeHint().width());
    split->setSizes({ table->minimumWidth(), width() });
}
