#include "historymodel.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class tst_HistoryModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void emptyStore();
    void rowsFollowTheStore();
    void guardsInvalidIndexes();
    void sortsOnRawValues();
    void settingsAndOutcomeColumns();

private:
    // One test; each region's single run loads in the given time, or fails when the time is absent.
    qint64 addTest(const QString &url, const QList<std::pair<QString, std::optional<double>>> &loads);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<HistoryModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_HistoryModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<HistoryStore>(m_dir->filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(m_store->open(), qPrintable(m_store->lastError()));
    m_model = std::make_unique<HistoryModel>(m_store.get());
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_HistoryModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_store.reset();
    m_dir.reset();
}

qint64 tst_HistoryModel::addTest(const QString &url, const QList<std::pair<QString, std::optional<double>>> &loads)
{
    QStringList regions;
    for (const auto &load : loads)
        regions.append(load.first);
    const qint64 id = m_store->beginTest(url, LoadOptions {}, regions, 1);
    for (const auto &[region, loadMs] : loads) {
        PageMetrics metrics;
        metrics.loadMs = loadMs;
        metrics.requestCount = 1;
        m_store->setMetrics(id, region, 1, RunView::First, metrics, {}, {});
        const std::optional<LoadError> error
            = loadMs ? std::nullopt : std::optional(LoadError { LoadError::Kind::Timeout, QStringLiteral("timeout") });
        m_store->finishRun(id, region, 1, !error, error, false, std::nullopt);
    }
    m_store->finishTest(id);
    QTest::qWait(3); // distinct start times
    return id;
}

void tst_HistoryModel::emptyStore()
{
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->columnCount(), int(HistoryModel::ColumnCount));
    QCOMPARE(m_model->headerData(HistoryModel::DateColumn, Qt::Horizontal).toString(), QStringLiteral("Date"));
    QCOMPARE(m_model->headerData(HistoryModel::SlowestColumn, Qt::Horizontal).toString(), QStringLiteral("Slowest"));
    QVERIFY(!m_model->headerData(HistoryModel::ColumnCount, Qt::Horizontal).isValid());
    QVERIFY(!m_model->testId(0));
}

void tst_HistoryModel::rowsFollowTheStore()
{
    const qint64 a = addTest(QStringLiteral("https://a.example/"),
        { { QStringLiteral("fra"), 900.0 }, { QStringLiteral("syd"), 10'000.0 } });
    const qint64 b = addTest(QStringLiteral("https://b.example/"), { { QStringLiteral("iad"), 2'500.0 } });
    QCOMPARE(m_model->rowCount(), 0); // until refreshed
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->testId(0), b); // newest first
    QCOMPARE(m_model->testId(1), a);

    const auto cell = [this](int row, int column, int role = Qt::DisplayRole) {
        return m_model->data(m_model->index(row, column), role);
    };
    QCOMPARE(cell(1, HistoryModel::UrlColumn).toString(), QStringLiteral("https://a.example/"));
    QCOMPARE(cell(1, HistoryModel::RegionsColumn).toString(), QStringLiteral("fra, syd"));
    QVERIFY(cell(1, HistoryModel::FastestColumn).toString().startsWith(u"fra"));
    QVERIFY(cell(1, HistoryModel::SlowestColumn).toString().startsWith(u"syd"));
    QCOMPARE(cell(1, HistoryModel::FastestColumn, HistoryModel::SortRole).toDouble(), 900.0);
    QCOMPARE(cell(1, HistoryModel::SlowestColumn, HistoryModel::SortRole).toDouble(), 10'000.0);
    QCOMPARE(cell(1, HistoryModel::UrlColumn, HistoryModel::TestIdRole).toLongLong(), a);
    QCOMPARE(cell(0, HistoryModel::DateColumn, HistoryModel::SortRole).toDateTime().timeSpec(), Qt::UTC);
    QVERIFY(!cell(0, HistoryModel::DateColumn).toString().isEmpty());

    QVERIFY(m_store->setLabel(a, QStringLiteral("baseline")));
    QVERIFY(m_store->remove(b));
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_model->testId(0), a);
    QVERIFY(cell(0, HistoryModel::UrlColumn).toString().startsWith(u"baseline"));
    QCOMPARE(cell(0, HistoryModel::UrlColumn, HistoryModel::SortRole).toString(), QStringLiteral("https://a.example/"));
}

void tst_HistoryModel::guardsInvalidIndexes()
{
    addTest(QStringLiteral("https://a.example/"), { { QStringLiteral("fra"), 900.0 } });
    m_model->refresh();
    QVERIFY(!m_model->testId(-1));
    QVERIFY(!m_model->testId(1));
    QVERIFY(!m_model->summary(1));
    QVERIFY(m_model->summary(0));
    QVERIFY(!m_model->data(QModelIndex()).isValid());
    QVERIFY(!m_model->data(m_model->index(1, 0)).isValid());
    QVERIFY(!m_model->data(m_model->index(0, HistoryModel::ColumnCount)).isValid());
    QVERIFY(!m_model->index(0, 0, m_model->index(0, 0)).isValid()); // a table has no children
    QCOMPARE(m_model->rowCount(m_model->index(0, 0)), 0);

    HistoryModel detached(nullptr);
    detached.refresh();
    QCOMPARE(detached.rowCount(), 0);
}

void tst_HistoryModel::sortsOnRawValues()
{
    // As text "fra  10 s" sorts before "iad  2.50 s"; by value it does not. A test with no ok run has no
    // fastest region at all and goes last.
    const qint64 slow = addTest(QStringLiteral("https://slow.example/"), { { QStringLiteral("fra"), 10'000.0 } });
    const qint64 failed = addTest(QStringLiteral("https://down.example/"), { { QStringLiteral("fra"), std::nullopt } });
    const qint64 quick = addTest(QStringLiteral("https://quick.example/"), { { QStringLiteral("iad"), 2'500.0 } });
    m_model->refresh();
    QVERIFY(!m_model->data(m_model->index(1, HistoryModel::FastestColumn), HistoryModel::SortRole).isValid());
    // Said, not left blank: a dash, and why in its tool tip and the outcome column.
    QCOMPARE(m_model->data(m_model->index(1, HistoryModel::FastestColumn)).toString(), QStringLiteral("–"));
    QCOMPARE(m_model->data(m_model->index(1, HistoryModel::FastestColumn), Qt::ToolTipRole).toString(),
        QStringLiteral("No region measured a load time: Failed"));
    QCOMPARE(m_model->data(m_model->index(1, HistoryModel::OutcomeColumn)).toString(), QStringLiteral("Failed"));

    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(m_model.get());
    proxy.setSortRole(HistoryModel::SortRole);
    proxy.sort(HistoryModel::FastestColumn, Qt::AscendingOrder);
    const auto idAt
        = [&proxy](int row) { return proxy.data(proxy.index(row, 0), HistoryModel::TestIdRole).toLongLong(); };
    QCOMPARE(idAt(0), quick);
    QCOMPARE(idAt(1), slow);
    QCOMPARE(idAt(2), failed);

    proxy.sort(HistoryModel::DateColumn, Qt::AscendingOrder);
    QCOMPARE(idAt(0), slow);
    QCOMPARE(idAt(2), quick);

    // A refresh under a sorting proxy keeps it consistent.
    QVERIFY(m_store->remove(slow));
    m_model->refresh();
    QCOMPARE(proxy.rowCount(), 2);
    QCOMPARE(idAt(0), failed);
}

void tst_HistoryModel::settingsAndOutcomeColumns()
{
    // A 2G test on a phone, three runs with repeat views, measured everywhere.
    LoadOptions slow;
    slow.profile = QStringLiteral("2G");
    slow.device = QStringLiteral("moto-g-power");
    slow.repeatView = true;
    const qint64 phone = m_store->beginTest(QStringLiteral("https://a.example/"), slow, { QStringLiteral("fra") }, 3);
    PageMetrics metrics;
    metrics.loadMs = 4000;
    metrics.requestCount = 1;
    m_store->setMetrics(phone, QStringLiteral("fra"), 1, RunView::First, metrics, {}, {});
    m_store->finishRun(phone, QStringLiteral("fra"), 1, true, std::nullopt, false, std::nullopt);
    m_store->finishTest(phone);
    QTest::qWait(3);
    // One region measured, one failed.
    const qint64 half = addTest(QStringLiteral("https://a.example/"),
        { { QStringLiteral("fra"), 900.0 }, { QStringLiteral("syd"), std::nullopt } });
    // Cancelled by the user before anything was measured.
    const qint64 cancelled = m_store->beginTest(QStringLiteral("https://a.example/"), {}, { QStringLiteral("fra") }, 1);
    m_store->finishRun(cancelled, QStringLiteral("fra"), 1, false,
        LoadError { LoadError::Kind::Cancelled, QStringLiteral("cancelled") }, false, std::nullopt);
    m_store->finishTest(cancelled);
    QTest::qWait(3);
    // The app stopped during it: no run ended, the test never finished.
    const qint64 unfinished
        = m_store->beginTest(QStringLiteral("https://a.example/"), {}, { QStringLiteral("fra") }, 1);
    m_model->refresh();

    const auto row = [&](qint64 id) {
        for (int r = 0; r < m_model->rowCount(); ++r) {
            if (m_model->testId(r) == id)
                return r;
        }
        return -1;
    };
    const auto text = [&](qint64 id, HistoryModel::Column column) {
        return m_model->data(m_model->index(row(id), column)).toString();
    };
    QCOMPARE(m_model->headerData(HistoryModel::ProfileColumn, Qt::Horizontal).toString(), QStringLiteral("Profile"));
    QCOMPARE(m_model->headerData(HistoryModel::OutcomeColumn, Qt::Horizontal).toString(), QStringLiteral("Outcome"));
    QCOMPARE(text(phone, HistoryModel::ProfileColumn), QStringLiteral("2G"));
    QVERIFY2(text(phone, HistoryModel::DeviceColumn).startsWith(u"moto-g-power"),
        qPrintable(text(phone, HistoryModel::DeviceColumn)));
    QCOMPARE(text(phone, HistoryModel::RunsColumn), QStringLiteral("3 + repeat"));
    QCOMPARE(text(phone, HistoryModel::OutcomeColumn), QStringLiteral("Complete"));
    QCOMPARE(text(half, HistoryModel::ProfileColumn), QStringLiteral("Native"));
    QCOMPARE(text(half, HistoryModel::DeviceColumn), QStringLiteral("desktop"));
    QCOMPARE(text(half, HistoryModel::RunsColumn), QStringLiteral("1"));
    QCOMPARE(text(half, HistoryModel::OutcomeColumn), QStringLiteral("1 of 2 failed"));
    QCOMPARE(text(cancelled, HistoryModel::OutcomeColumn), QStringLiteral("Cancelled"));
    QCOMPARE(text(cancelled, HistoryModel::SlowestColumn), QStringLiteral("–"));
    QCOMPARE(text(unfinished, HistoryModel::OutcomeColumn), QStringLiteral("Not finished"));
}

QTEST_GUILESS_MAIN(tst_HistoryModel)
#include "tst_historymodel.moc"
