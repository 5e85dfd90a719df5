#pragma once

#include "historyschema.h"
#include "testrecord.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <unordered_map>

class QSqlError;

// A region's median load time in one test (the median over its ok runs' first views).
struct RegionLoad
{
    QString region;
    double medianLoadMs = 0;
    friend bool operator==(const RegionLoad &, const RegionLoad &) = default;
};

// One line of the history list.
struct TestSummary
{
    qint64 id = -1;
    QString url;
    QString label;
    QDateTime startedAt; // UTC
    QDateTime finishedAt; // UTC; invalid when the test did not finish
    QStringList regions;
    std::optional<RegionLoad> fastest; // absent when no region has a measured load time
    std::optional<RegionLoad> slowest;
    std::optional<LoadOptions> options; // as the test ran; absent when the stored options do not read back
    int runsPerRegion = 0;
    // How its regions ended: some run measured, cancelled by the user, or failed (every run, or none ended in a
    // finished test). A region of an unfinished test with no run over is none of them.
    int regionsMeasured = 0;
    int regionsCancelled = 0;
    int regionsFailed = 0;
    friend bool operator==(const TestSummary &, const TestSummary &) = default;
};

// One test's medians in one region, for the history chart: every metric, so the chart may plot any PageMetric.
struct TrendPoint
{
    qint64 testId = -1;
    QDateTime startedAt; // UTC
    int runs = 0; // the ok, measured runs the medians are over
    PageMetrics median; // of their first views; a metric none of them observed is absent
    std::optional<LoadOptions> options; // the test's: points of other settings are not one line
    friend bool operator==(const TrendPoint &, const TrendPoint &) = default;
};

// The app's history of tests, in one SQLite file, written as the frames arrive.
//
// Every write is one small transaction, committed before the call returns: with the default durability the WAL
// is synced on each commit (synchronous=FULL), so a crash of the app or of the machine loses nothing already
// written; ProcessCrash (synchronous=NORMAL) keeps what a killed app wrote but may lose the last commits to a
// power cut, for a fraction of the cost. The schema carries its version in PRAGMA user_version and open()
// applies the migrations a file is missing, in order, each in its own transaction (HistorySchema). How a test's
// parts map to rows and back is HistoryRows'.
//
// The store belongs to the thread that made it (Qt Sql connections are per thread); the app uses it on the GUI
// thread. Writes return false and reads nullopt or an empty list on failure, and lastError() says why; it is empty
// after a call that succeeded, so an empty list that is the history's tells itself apart from a failed read.
//
// A view's startedAt is estimated: no frame carries the navigation's wall-clock time, so each frame bounds it
// from above (arrival time minus the request's end, or minus the latest page metric) and the earliest bound is
// kept. It is off by the frames' delivery latency, which is what the HAR export's absolute times can bear.
class HistoryStore final
{
public:
    enum class Durability {
        PowerLoss, // synchronous=FULL
        ProcessCrash, // synchronous=NORMAL
    };
    static constexpr int schemaVersion = HistorySchema::version;

    explicit HistoryStore(QString path, Durability durability = Durability::PowerLoss);
    ~HistoryStore();
    Q_DISABLE_COPY_MOVE(HistoryStore)

    // Opens (creating the file if needed) and migrates to schemaVersion. Refuses a file a newer version wrote.
    bool open();
    bool isOpen() const { return m_open; }
    QString path() const { return m_path; }
    QString lastError() const { return m_lastError; }

    // Returns the new test's id, or -1 when it could not be stored. `startedAt`: when the test began, as the live
    // record says (so a reopened test says the same); now when invalid.
    qint64 beginTest(const QString &url, const LoadOptions &options, const QStringList &regions, int runsPerRegion,
        const QDateTime &startedAt = {});
    // runIndex counts from 1. A frame for a region the test does not have is refused.
    bool addRequest(qint64 testId, const QString &region, int runIndex, RunView view, const RequestTiming &request);
    // A view's final frame: its metrics, final URL, screenshot, filmstrip, long tasks and warnings (its requests
    // and startedAt are stored as they arrive, not from here).
    bool setMetrics(qint64 testId, const QString &region, int runIndex, RunView view, const ViewResult &result);
    // The same for a view that has only these.
    bool setMetrics(qint64 testId, const QString &region, int runIndex, RunView view, const PageMetrics &metrics,
        const QString &finalUrl, const QByteArray &screenshotPng, const Filmstrip &filmstrip = {});
    // A script that measures several steps (RegionRun's; `step` counts from 0 as RegionRun::stepView does). Step 1
    // is the run's first view, stored with the calls above; its name is setStepName's (empty: unnamed). A later step
    // (`step` 1 or more) is stored only after the one before it: its requests as they arrive, and setStep's name,
    // URL, final frame (metrics only when `measured`, as laterStepMeasured says) and error.
    bool setStepName(qint64 testId, const QString &region, int runIndex, const QString &name);
    bool addStepRequest(
        qint64 testId, const QString &region, int runIndex, qsizetype step, const RequestTiming &request);
    bool setStep(
        qint64 testId, const QString &region, int runIndex, qsizetype step, const StepResult &result, bool measured);
    // A failed run without a LoadError is stored with an Other error, so `ok` and `error` cannot disagree.
    bool finishRun(qint64 testId, const QString &region, int runIndex, bool ok, const std::optional<LoadError> &error,
        bool cold, std::optional<double> browserStartMs);
    // The probe's CPU benchmark index and the CPU throttling rate the run had (RunResult's).
    bool setRunCpu(qint64 testId, const QString &region, int runIndex, std::optional<double> cpuBenchmarkIndex,
        std::optional<double> cpuSlowdownRate);
    // What the probe cut or left out of the run as a whole (RunResult::warnings); an empty list clears them.
    bool setRunWarnings(qint64 testId, const QString &region, int runIndex, const QStringList &warnings);
    bool setRegionState(qint64 testId, const QString &region, RunState state, const QString &detail);
    bool finishTest(qint64 testId, const QDateTime &finishedAt = {}); // now when invalid
    bool setLabel(qint64 testId, const QString &label);
    bool remove(qint64 testId);

    std::optional<TestRecord> load(qint64 testId);
    // Newest first.
    QList<TestSummary> list();
    // Oldest first; only tests of exactly this URL in which the region has at least one ok, measured run.
    QList<TrendPoint> trend(const QString &url, const QString &region);

private:
    QSqlQuery &statement(const QString &sql);
    bool exec(QSqlQuery &query, const QString &what);
    bool fail(const QString &what, const QSqlError &error);
    bool fail(const QString &what);
    template<typename Body> bool transact(const QString &what, Body &&body);
    // Fills each summary's region outcomes (inside list()'s transaction).
    bool readOutcomes(QList<TestSummary> &summaries, const QHash<qint64, qsizetype> &rowOf, const QString &what);
    bool ensureView(qint64 testId, const QString &region, int runIndex, RunView view, std::optional<qint64> startedAt);
    bool ensureStep(
        qint64 testId, const QString &region, int runIndex, qsizetype step, std::optional<qint64> startedAt);

    QString m_path;
    Durability m_durability;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_statements; // prepared once, by their SQL
    QString m_lastError;
    bool m_open = false;
};
