// The History tab offscreen, over a real HistoryStore: the settings and outcome columns are there, and the URL
// column gets the room (it was cut to "http://…" while "Slowest" stretched over the rest of the table). Set
// WORLDSPEED_SCREENSHOT_DIR to keep a screenshot.
#include "historymodel.h"
#include "historypanel.h"
#include "historystore.h"

#include <QFontMetrics>
#include <QHeaderView>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

class tst_HistoryPanel : public QObject
{
    Q_OBJECT

private slots:
    void columnsSaySettingsAndOutcomeAndTheUrlIsReadable();
};

void tst_HistoryPanel::columnsSaySettingsAndOutcomeAndTheUrlIsReadable()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore store(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const QString url = QStringLiteral("https://shop.example.com/products/winter-collection/index.html");
    const QStringList regions { QStringLiteral("fra"), QStringLiteral("syd") };
    for (const QString &profile : { QStringLiteral("Native"), QStringLiteral("2G") }) {
        LoadOptions options;
        options.profile = profile;
        options.repeatView = profile == u"2G";
        const qint64 id = store.beginTest(url, options, regions, profile == u"2G" ? 3 : 1);
        PageMetrics metrics;
        metrics.loadMs = profile == u"2G" ? 9100 : 910;
        metrics.requestCount = 10;
        store.setMetrics(id, QStringLiteral("fra"), 1, RunView::First, metrics, {}, {});
        store.finishRun(id, QStringLiteral("fra"), 1, true, std::nullopt, false, std::nullopt);
        // syd could not start its probe.
        store.finishRun(id, QStringLiteral("syd"), 1, false,
            LoadError { LoadError::Kind::Other, QStringLiteral("the probe cannot start") }, false, std::nullopt);
        store.finishTest(id);
        QTest::qWait(3);
    }
    const qint64 cancelled = store.beginTest(url, LoadOptions {}, regions, 1);
    store.finishRun(cancelled, QStringLiteral("fra"), 1, false,
        LoadError { LoadError::Kind::Cancelled, QStringLiteral("cancelled") }, false, std::nullopt);
    store.finishTest(cancelled);

    HistoryModel model(&store);
    model.refresh();
    HistoryPanel panel(&store, &model);
    panel.resize(1280, 360);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));

    QTableView *view = panel.view();
    const auto text = [&](int row, int column) { return model.data(model.index(row, column)).toString(); };
    QCOMPARE(text(0, HistoryModel::OutcomeColumn), QStringLiteral("Cancelled"));
    QCOMPARE(text(0, HistoryModel::FastestColumn), QStringLiteral("–"));
    QCOMPARE(text(1, HistoryModel::ProfileColumn), QStringLiteral("2G"));
    QCOMPARE(text(1, HistoryModel::RunsColumn), QStringLiteral("3 + repeat"));
    QCOMPARE(text(1, HistoryModel::OutcomeColumn), QStringLiteral("1 of 2 failed"));
    QCOMPARE(text(2, HistoryModel::ProfileColumn), QStringLiteral("Native"));

    // Every column of a row is on screen at 1280 px, and the URL is shown whole.
    QHeaderView *header = view->horizontalHeader();
    int total = 0;
    for (int column = 0; column < HistoryModel::ColumnCount; ++column)
        total += header->sectionSize(column);
    QVERIFY2(total <= view->viewport()->width(), qPrintable(QString::number(total)));
    const int urlWidth = header->sectionSize(HistoryModel::UrlColumn);
    QVERIFY2(urlWidth > view->fontMetrics().horizontalAdvance(url),
        qPrintable(QStringLiteral("%1 for %2").arg(urlWidth).arg(view->fontMetrics().horizontalAdvance(url))));
    QVERIFY(urlWidth > header->sectionSize(HistoryModel::SlowestColumn));

    const QString shots = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!shots.isEmpty())
        panel.grab().save(QDir(shots).filePath(QStringLiteral("history-columns.png")));
}

QTEST_MAIN(tst_HistoryPanel)
#include "tst_historypanel.moc"
