#pragma once

#include "protocol/message.h"

#include <QWidget>

class QComboBox;
struct TestRecord;

// Which page load of a test the waterfall, its screenshot and its details show: a run ("Median run", as
// WebPageTest picks it per region, or run 1…N) and a view (first or repeat). Its choices follow the test: the run
// choice only when the test has several runs, the view choice only when it loaded a repeat view. The choice is
// kept from one test to the next while it still exists, so stepping through history shows like with like.
class RunPicker final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunPicker)

public:
    explicit RunPicker(QWidget *parent = nullptr);

    void setTest(const TestRecord &test);
    // From 0, or WaterfallModel::RepresentativeRun.
    int runIndex() const;
    RunView view() const;
    QComboBox *runChoice() const { return m_run; }
    QComboBox *viewChoice() const { return m_view; }

signals:
    void viewChosen(int runIndex, RunView view);

private:
    QComboBox *m_run;
    QComboBox *m_view;
};
