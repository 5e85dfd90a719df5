#include "historypanel.h"

#include "comparisondialog.h"
#include "historymodel.h"
#include "historystore.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

HistoryPanel::HistoryPanel(HistoryStore *history, HistoryModel *model, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
    , m_model(model)
    , m_view(new QTableView(this))
    , m_compare(new QPushButton(tr("Compare two…"), this))
{
    auto *layout = new QVBoxLayout(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    // The URL takes the room the short columns leave (it was cut to "http://…" while "Slowest" stretched over
    // the rest); the others fit what they hold. A long URL loses its middle, keeping host and page readable.
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    for (int column = 0; column < HistoryModel::ColumnCount; ++column)
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(HistoryModel::UrlColumn, QHeaderView::Stretch);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setWordWrap(false);
    auto *buttons = new QHBoxLayout;
    auto *open = new QPushButton(tr("Open"), this);
    auto *remove = new QPushButton(tr("Delete"), this);
    // Each button is live only when the selection says what it acts on; its tool tip says what to select.
    open->setObjectName(QStringLiteral("openTest"));
    remove->setObjectName(QStringLiteral("deleteTest"));
    open->setToolTip(tr("Show the selected test (or double-click it)"));
    remove->setToolTip(tr("Delete the selected test from the history"));
    m_compare->setToolTip(tr("Select two tests to compare them side by side"));
    open->setEnabled(false);
    remove->setEnabled(false);
    m_compare->setEnabled(false);
    buttons->addWidget(open);
    buttons->addWidget(m_compare);
    buttons->addWidget(remove);
    buttons->addStretch();
    layout->addWidget(m_view);
    layout->addLayout(buttons);
    connect(open, &QPushButton::clicked, this, &HistoryPanel::openSelected);
    connect(m_view, &QTableView::doubleClicked, this, &HistoryPanel::openSelected);
    connect(remove, &QPushButton::clicked, this, &HistoryPanel::deleteSelected);
    connect(m_compare, &QPushButton::clicked, this, &HistoryPanel::compareSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this, open, remove] {
        const qsizetype selected = m_view->selectionModel()->selectedRows().size();
        m_compare->setEnabled(selected == 2);
        open->setEnabled(selected == 1);
        remove->setEnabled(selected == 1);
    });
}

void HistoryPanel::openSelected()
{
    const QModelIndex current = m_view->currentIndex();
    if (const auto id = current.isValid() ? m_model->testId(current.row()) : std::nullopt)
        emit openRequested(*id);
}

void HistoryPanel::compareSelected()
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.size() != 2)
        return;
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &x, const QModelIndex &y) { return x.row() > y.row(); });
    std::optional<TestRecord> tests[2];
    for (int i = 0; i < 2; ++i) {
        const auto id = m_model->testId(rows.at(i).row());
        tests[i] = id ? m_history->load(*id) : std::nullopt;
        if (!tests[i])
            return;
    }
    // A: the older test, B: the newer, so B − A reads as "what changed since".
    if (tests[0]->startedAt > tests[1]->startedAt)
        std::swap(tests[0], tests[1]);
    delete m_comparison.data();
    auto *dialog = new ComparisonDialog(*tests[0], *tests[1], window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_comparison = dialog;
    dialog->show();
}

void HistoryPanel::deleteSelected()
{
    const QModelIndex current = m_view->currentIndex();
    const auto id = current.isValid() ? m_model->testId(current.row()) : std::nullopt;
    if (!id)
        return;
    if (QMessageBox::question(this, tr("Delete test"), tr("Delete this test from the history?")) != QMessageBox::Yes)
        return;
    m_history->remove(*id);
    m_model->refresh();
}
