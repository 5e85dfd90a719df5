#include "runpicker.h"

#include "testrecord.h"
#include "waterfallmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSignalBlocker>

#include <algorithm>

RunPicker::RunPicker(QWidget *parent)
    : QWidget(parent)
    , m_run(new QComboBox(this))
    , m_view(new QComboBox(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_run->setObjectName(QStringLiteral("waterfallRun"));
    m_run->setToolTip(tr("Which run to show: each region's median run by load time (as WebPageTest picks it), or "
                         "one run for every region"));
    m_run->setAccessibleName(tr("Run shown"));
    m_view->setObjectName(QStringLiteral("waterfallView"));
    m_view->addItem(tr("First view"), static_cast<int>(RunView::First));
    m_view->addItem(tr("Repeat view"), static_cast<int>(RunView::Repeat));
    m_view->setToolTip(tr("The first view (empty cache) or the repeat view (the same page again, cache warm)"));
    m_view->setAccessibleName(tr("View shown"));
    layout->addWidget(m_run);
    layout->addWidget(m_view);
    m_run->addItem(tr("Median run"), WaterfallModel::RepresentativeRun);
    m_run->setVisible(false);
    m_view->setVisible(false);
    const auto chosen = [this] { emit viewChosen(runIndex(), view()); };
    connect(m_run, &QComboBox::currentIndexChanged, this, chosen);
    connect(m_view, &QComboBox::currentIndexChanged, this, chosen);
}

void RunPicker::setTest(const TestRecord &test)
{
    const int kept = runIndex();
    {
        const QSignalBlocker blocker(m_run);
        m_run->clear();
        m_run->addItem(tr("Median run"), WaterfallModel::RepresentativeRun);
        for (int run = 0; run < test.runsPerRegion; ++run)
            m_run->addItem(tr("Run %1").arg(run + 1), run);
        m_run->setCurrentIndex(std::max(0, m_run->findData(kept)));
        m_run->setVisible(test.runsPerRegion > 1);
    }
    const bool repeat = test.options.repeatView;
    if (!repeat) {
        const QSignalBlocker blocker(m_view);
        m_view->setCurrentIndex(0);
    }
    m_view->setVisible(repeat);
    emit viewChosen(runIndex(), view());
}

int RunPicker::runIndex() const
{
    return m_run->currentData().toInt();
}

RunView RunPicker::view() const
{
    return static_cast<RunView>(m_view->currentData().toInt());
}
