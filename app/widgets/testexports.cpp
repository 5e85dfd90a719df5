#include "testexports.h"

#include "appsettings.h"
#include "csvexporter.h"
#include "harexporter.h"
#include "historystore.h"
#include "pdfreport.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

TestExports::TestExports(HistoryStore *history, QWidget *window)
    : QObject(window)
    , m_history(history)
    , m_window(window)
    , m_catalog(RegionCatalog::builtIn())
{
    const std::pair<QString, void (TestExports::*)()> exports[] = { { tr("Export &CSV…"), &TestExports::exportCsv },
        { tr("Export &HAR…"), &TestExports::exportHar }, { tr("Export &PDF report…"), &TestExports::exportPdf } };
    for (const auto &[text, slot] : exports) {
        auto *action = new QAction(text, this);
        action->setEnabled(false);
        connect(action, &QAction::triggered, this, slot);
        m_actions.append(action);
    }
}

void TestExports::setTest(qint64 testId, const RegionCatalog &catalog)
{
    m_testId = m_history ? testId : -1;
    m_catalog = catalog;
    for (QAction *action : std::as_const(m_actions))
        action->setEnabled(m_testId >= 0);
}

QString TestExports::askDirectory(const QString &title)
{
    AppSettings settings;
    const QString last = settings.exportDirectory.value();
    const QString dir = QFileDialog::getExistingDirectory(m_window, title, last);
    if (!dir.isEmpty())
        settings.exportDirectory.setValue(dir);
    return dir;
}

std::optional<TestRecord> TestExports::shownTest(const QString &title)
{
    if (m_testId < 0) {
        QMessageBox::information(m_window, title, tr("Run or open a test first."));
        return std::nullopt;
    }
    return m_history->load(m_testId);
}

void TestExports::exportCsv()
{
    const auto test = shownTest(tr("Export CSV"));
    const QString dir = test ? askDirectory(tr("Export CSV to")) : QString();
    if (dir.isEmpty())
        return;
    QString error;
    const QStringList files = CsvExporter::writeFiles(*test, dir, &error);
    if (files.isEmpty())
        QMessageBox::warning(m_window, tr("Export CSV"), error);
    else
        emit written(tr("Wrote %1").arg(files.join(QStringLiteral(", "))));
}

void TestExports::exportHar()
{
    const auto test = shownTest(tr("Export HAR"));
    const QString dir = test ? askDirectory(tr("Export HAR files to")) : QString();
    if (dir.isEmpty())
        return;
    QString error;
    const QStringList files = HarExporter::writeRegions(*test, dir, QStringLiteral(WORLDSPEED_VERSION), &error);
    if (files.isEmpty())
        QMessageBox::warning(m_window, tr("Export HAR"), error);
    else
        emit written(tr("Wrote %n HAR file(s) to %1", nullptr, static_cast<int>(files.size())).arg(dir));
}

void TestExports::exportPdf()
{
    const auto test = shownTest(tr("Export PDF"));
    if (!test)
        return;
    AppSettings settings;
    const QString last = settings.exportDirectory.value();
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export PDF report"),
        QDir(last).filePath(QStringLiteral("worldspeed-%1.pdf").arg(test->id)), tr("PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    settings.exportDirectory.setValue(QFileInfo(path).absolutePath());
    PdfReport report(*test, m_catalog);
    report.setWaterfallColouring(settings.waterfallByContentType.value() ? WaterfallPainter::Colouring::ContentTypes
                                                                         : WaterfallPainter::Colouring::Phases);
    QString error;
    if (!report.write(path, &error))
        QMessageBox::warning(m_window, tr("Export PDF"), error);
    else
        emit written(tr("Wrote %1").arg(path));
}
