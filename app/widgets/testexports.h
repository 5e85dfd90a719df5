#pragma once

#include "regioncatalog.h"

#include <QObject>

#include <optional>

class HistoryStore;
class QAction;
class QWidget;
struct TestRecord;

// The window's File → Export actions (CSV, HAR, PDF report) for the test it shows. They read the stored test,
// which has what the live record leaves out (each view's start time), and stay greyed out while there is none.
class TestExports final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestExports)

public:
    // `history` (not owned) may be null: then nothing can be exported. Dialogs open over `window`.
    TestExports(HistoryStore *history, QWidget *window);

    QList<QAction *> actions() const { return m_actions; }
    // The test to export (an id in the history; -1: none), with the catalog the PDF names its regions from.
    void setTest(qint64 testId, const RegionCatalog &catalog);

signals:
    // What was written, for the status bar.
    void written(const QString &message);

private:
    std::optional<TestRecord> shownTest(const QString &title);
    QString askDirectory(const QString &title);
    void exportCsv();
    void exportHar();
    void exportPdf();

    HistoryStore *m_history;
    QWidget *m_window;
    qint64 m_testId = -1;
    RegionCatalog m_catalog;
    QList<QAction *> m_actions;
};
