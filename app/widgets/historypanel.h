#pragma once

#include <QDialog>
#include <QPointer>
#include <QWidget>

class HistoryModel;
class HistoryStore;
class QPushButton;
class QTableView;

// The History tab: the stored tests, newest first, with Open, Compare two… and Delete. Open asks the window to show
// the test (openRequested(): the window knows whether it may now); Compare opens a ComparisonDialog of the two
// selected tests, the older as A; Delete asks first. Neither the store nor the model is owned.
class HistoryPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)

public:
    HistoryPanel(HistoryStore *history, HistoryModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QPushButton *compareButton() const { return m_compare; }
    QDialog *comparison() const { return m_comparison; } // the one open, if any

signals:
    void openRequested(qint64 testId);

private:
    void openSelected();
    void deleteSelected();
    void compareSelected();

    HistoryStore *m_history;
    HistoryModel *m_model;
    QTableView *m_view;
    QPushButton *m_compare;
    QPointer<QDialog> m_comparison;
};
