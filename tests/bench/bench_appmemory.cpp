// What the desktop app costs in memory: the main window shown offscreen with the default local fleet and an empty
// history, then the same window on a history of 100 stored tests with one of them opened, against a bare
// QApplication showing one empty QWidget of the window's size. A benchmark reports; it never passes or fails on a
// number. It exits non-zero only when a run did not work (a child crashed, timed out, or printed no figures).
//
// Every measurement is its own process (this binary again, with --child MODE), so no two share a heap, and each
// child has a private HOME, TMPDIR, XDG_* and database in a QTemporaryDir that is removed afterwards. The history
// is written by a separate child before the measured one starts, so the measured process holds only what the app
// itself keeps after reading it. A child shows its window, lets the event loop run for --settle-ms, then reads its
// own /proc/self/smaps_rollup (Rss, Pss, Pss_Anon, Pss_File) and /proc/self/status (VmRSS, VmHWM).
#include "benchhistory.h"
#include "benchsandbox.h"
#include "historymodel.h"
#include "historystore.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "waterfallmodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <memory>
#include <numeric>

namespace {

// MainWindow resizes itself to this; the baseline's empty widget gets the same size, so both have the same
// backing store and the ratio shows what the window's contents cost.
constexpr QSize windowSize { 1400, 900 };
constexpr int fillTimeoutMs = 600'000;
constexpr int measureTimeoutMs = 120'000;

// ---------------------------------------------------------------------------------------------------------------
// In the child: reading the process's own memory.

struct Memory
{
    qint64 rssKiB = -1; // VmRSS
    qint64 hwmKiB = -1; // VmHWM: the peak RSS
    qint64 pssKiB = -1;
    qint64 pssAnonKiB = -1; // heap, stacks, the backing store: nothing another process shares
    qint64 pssFileKiB = -1; // the share of the libraries' and fonts' pages

    QJsonObject toJson() const
    {
        return { { QStringLiteral("rssKiB"), rssKiB }, { QStringLiteral("hwmKiB"), hwmKiB },
            { QStringLiteral("pssKiB"), pssKiB }, { QStringLiteral("pssAnonKiB"), pssAnonKiB },
            { QStringLiteral("pssFileKiB"), pssFileKiB } };
    }
};

// "Name:   1234 kB" lines, as /proc writes them.
QHash<QByteArray, qint64> procKiB(const QString &path)
{
    QHash<QByteArray, qint64> values;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return values;
    // /proc files report a size of 0, so read them to the end rather than by size.
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !line.endsWith(" kB"))
            continue;
        bool ok = false;
        const qint64 value = line.mid(colon + 1).chopped(3).trimmed().toLongLong(&ok);
        if (ok)
            values.insert(line.left(colon), value);
    }
    return values;
}

std::optional<Memory> readMemory(QString *error)
{
    const auto status = procKiB(QStringLiteral("/proc/self/status"));
    const auto rollup = procKiB(QStringLiteral("/proc/self/smaps_rollup"));
    Memory m;
    m.rssKiB = status.value("VmRSS", -1);
    m.hwmKiB = status.value("VmHWM", -1);
    m.pssKiB = rollup.value("Pss", -1);
    m.pssAnonKiB = rollup.value("Pss_Anon", -1);
    m.pssFileKiB = rollup.value("Pss_File", -1);
    if (m.rssKiB < 0 || m.pssKiB < 0) {
        *error = QStringLiteral("cannot read VmRSS from /proc/self/status or Pss from /proc/self/smaps_rollup");
        return std::nullopt;
    }
    return m;
}

void settle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// ---------------------------------------------------------------------------------------------------------------
// The children. Each prints one JSON object on stdout and exits 0, or explains on stderr and exits 1.

int childFill(const QString &db, int tests, int requests)
{
    QTextStream err(stderr);
    BenchHistory::FillResult filled;
    {
        // ProcessCrash: the same rows with one WAL sync per checkpoint instead of one per request, so that writing
        // 18,000 requests takes seconds on a shared disk. Durability does not change what ends up in the file.
        HistoryStore store(db, HistoryStore::Durability::ProcessCrash);
        if (!store.open()) {
            err << "bench_appmemory: cannot create " << db << ": " << store.lastError() << "\n";
            return 1;
        }
        QString error;
        const auto result = BenchHistory::fill(store, tests, requests, &error);
        if (!result) {
            err << "bench_appmemory: filling the history failed: " << error << "\n";
            return 1;
        }
        filled = *result;
    }
    QTextStream(stdout) << QJsonDocument(
        QJsonObject { { QStringLiteral("tests"), filled.tests }, { QStringLiteral("requests"), filled.requests },
            { QStringLiteral("fillMs"),
                filled.ms } }).toJson(QJsonDocument::Compact)
                        << "\n";
    return 0;
}

int childBaseline(int settleMs)
{
    QWidget widget;
    widget.resize(windowSize);
    widget.show();
    settle(settleMs);
    QString error;
    const auto memory = readMemory(&error);
    if (!memory) {
        QTextStream(stderr) << "bench_appmemory: " << error << "\n";
        return 1;
    }
    QJsonObject json = memory->toJson();
    json.insert(QStringLiteral("window"), QStringLiteral("%1x%2").arg(widget.width()).arg(widget.height()));
    QTextStream(stdout) << QJsonDocument(json).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}

int childApp(const QString &db, bool openFirst, int settleMs)
{
    QTextStream err(stderr);
    // As main.cpp does, less the keychain: the secrets live in memory (the default local fleet has none).
    HistoryStore history(db);
    if (!history.open()) {
        err << "bench_appmemory: cannot open " << db << ": " << history.lastError() << "\n";
        return 1;
    }
    MemorySecretStore secrets;
    MainWindow::Services services;
    services.history = &history;
    services.secrets = &secrets;
    // Where the app looks for its fleet config; nothing is there in the private XDG_CONFIG_HOME, so the default
    // (this computer, one local region) is used, as on a first start.
    services.fleetConfigPath = QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                                   .filePath(QStringLiteral("fleet.json"));
    MainWindow window(services);
    window.show();
    QCoreApplication::processEvents();

    window.historyModel()->refresh();
    QJsonObject json;
    json.insert(QStringLiteral("historyRows"), window.historyModel()->rowCount());
    if (openFirst) {
        // openSelectedHistory() is private; do what a person does: select the first row of the history list and
        // press Open.
        QTableView *view = nullptr;
        for (QTableView *candidate : window.findChildren<QTableView *>()) {
            if (candidate->model() == window.historyModel())
                view = candidate;
        }
        QPushButton *open = nullptr;
        if (view) {
            for (QPushButton *button : view->parentWidget()->findChildren<QPushButton *>()) {
                if (button->text() == u"Open")
                    open = button;
            }
        }
        const bool reachable = view && open && window.historyModel()->rowCount() > 0;
        if (reachable) {
            view->setCurrentIndex(window.historyModel()->index(0, 0));
            open->click();
        }
        qint64 shown = 0;
        for (int lane = 0; lane < window.waterfallModel()->laneCount(); ++lane)
            shown += window.waterfallModel()->requestCount(lane);
        json.insert(QStringLiteral("opened"), reachable && shown > 0);
        json.insert(QStringLiteral("shownLanes"), window.waterfallModel()->laneCount());
        json.insert(QStringLiteral("shownRequests"), shown);
        json.insert(QStringLiteral("status"), window.statusText());
    }
    settle(settleMs);
    QString error;
    const auto memory = readMemory(&error);
    if (!memory) {
        err << "bench_appmemory: " << error << "\n";
        return 1;
    }
    QJsonObject out = memory->toJson();
    for (auto it = json.constBegin(); it != json.constEnd(); ++it)
        out.insert(it.key(), it.value());
    out.insert(QStringLiteral("window"), QStringLiteral("%1x%2").arg(window.width()).arg(window.height()));
    if (!window.fleetError().isEmpty())
        out.insert(QStringLiteral("fleetError"), window.fleetError());
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: runs the children and reports.

// Runs this binary with `arguments` and returns the JSON object on the last line of its output. The parent has no
// window and nothing else to do meanwhile, so it simply waits (with a timeout); the child's stderr goes through.
std::optional<QJsonObject> runChild(
    const BenchSandbox &sandbox, const QStringList &arguments, int timeoutMs, QString *error)
{
    QProcess process;
    process.setProgram(QCoreApplication::applicationFilePath());
    process.setArguments(arguments);
    process.setProcessEnvironment(sandbox.environment());
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start();
    if (!process.waitForStarted(10'000)) {
        *error = QStringLiteral("cannot start the child: ") + process.errorString();
        return std::nullopt;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5'000);
        *error = QStringLiteral("the child did not finish within %1 s").arg(timeoutMs / 1000);
        return std::nullopt;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = process.exitStatus() != QProcess::NormalExit
            ? QStringLiteral("the child crashed")
            : QStringLiteral("the child exited with %1").arg(process.exitCode());
        return std::nullopt;
    }
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    const QJsonDocument json = QJsonDocument::fromJson(lines.constLast());
    if (!json.isObject()) {
        *error = QStringLiteral("the child printed no JSON object");
        return std::nullopt;
    }
    return json.object();
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

double mib(double kib)
{
    return kib / 1024.0;
}

// The samples of one measured child over the repetitions.
struct Series
{
    QString name;
    QList<QJsonObject> samples;

    double medianOf(const QString &key) const
    {
        QList<double> values;
        for (const QJsonObject &s : samples)
            values.append(s.value(key).toDouble());
        return median(values);
    }
    QString range(const QString &key) const
    {
        double lo = 1e18;
        double hi = 0;
        for (const QJsonObject &s : samples) {
            lo = std::min(lo, s.value(key).toDouble());
            hi = std::max(hi, s.value(key).toDouble());
        }
        return QStringLiteral("%1–%2").arg(mib(lo), 0, 'f', 1).arg(mib(hi), 0, 'f', 1);
    }
    QJsonObject toJson() const
    {
        QJsonObject medians;
        for (const char *key : { "rssKiB", "pssKiB", "pssAnonKiB", "pssFileKiB", "hwmKiB" })
            medians.insert(QString::fromLatin1(key), medianOf(QString::fromLatin1(key)));
        QJsonArray all;
        for (const QJsonObject &s : samples)
            all.append(s);
        return { { QStringLiteral("median"), medians }, { QStringLiteral("samples"), all } };
    }
};

// What the repetitions measured.
struct Measurements
{
    Series baseline { QStringLiteral("baseline: empty QWidget"), {} };
    Series idle { QStringLiteral("app, empty history"), {} };
    Series full;
    QList<double> dbBytes, walBytes, fillMs;
    qint64 storedRequests = 0;
};

// One repetition: the baseline, the idle app, then the app on a freshly filled history, each child in a sandbox of its
// own. What went wrong ("what: why"), or an empty string.
QString measureOnce(Measurements &m, const QString &settle, int tests, int requests)
{
    QString error;
    {
        BenchSandbox box;
        if (!box.isValid())
            return QStringLiteral("no private HOME: ") + box.errorString();
        const auto sample = runChild(box,
            { QStringLiteral("--child"), QStringLiteral("baseline"), QStringLiteral("--settle-ms"), settle },
            measureTimeoutMs, &error);
        if (!sample)
            return QStringLiteral("baseline: ") + error;
        m.baseline.samples.append(*sample);
    }
    {
        BenchSandbox box;
        if (!box.isValid())
            return QStringLiteral("no private HOME: ") + box.errorString();
        const auto sample = runChild(box,
            { QStringLiteral("--child"), QStringLiteral("app"), QStringLiteral("--db"), box.database(),
                QStringLiteral("--settle-ms"), settle },
            measureTimeoutMs, &error);
        if (!sample)
            return QStringLiteral("idle app: ") + error;
        m.idle.samples.append(*sample);
    }
    {
        BenchSandbox box;
        if (!box.isValid())
            return QStringLiteral("no private HOME: ") + box.errorString();
        const auto filled = runChild(box,
            { QStringLiteral("--child"), QStringLiteral("fill"), QStringLiteral("--db"), box.database(),
                QStringLiteral("--tests"), QString::number(tests), QStringLiteral("--requests"),
                QString::number(requests) },
            fillTimeoutMs, &error);
        if (!filled)
            return QStringLiteral("filling the history: ") + error;
        m.fillMs.append(filled->value(QStringLiteral("fillMs")).toDouble());
        m.storedRequests = filled->value(QStringLiteral("requests")).toInteger();
        m.dbBytes.append(static_cast<double>(QFileInfo(box.database()).size()));
        m.walBytes.append(static_cast<double>(QFileInfo(box.database() + QStringLiteral("-wal")).size()));
        const auto sample = runChild(box,
            { QStringLiteral("--child"), QStringLiteral("app"), QStringLiteral("--db"), box.database(),
                QStringLiteral("--open"), QStringLiteral("--settle-ms"), settle },
            measureTimeoutMs, &error);
        if (!sample)
            return QStringLiteral("app with history: ") + error;
        m.full.samples.append(*sample);
    }
    return QString();
}

// The ratios the benchmark is about: the app idle against the bare widget, and on a history against idle.
struct Ratios
{
    double idleRss = 0, idlePss = 0, fullRss = 0, fullPss = 0;

    explicit Ratios(const Measurements &m)
    {
        const auto ratio = [](const Series &a, const Series &b, const QString &key) {
            const double below = b.medianOf(key);
            return below > 0 ? a.medianOf(key) / below : 0;
        };
        idleRss = ratio(m.idle, m.baseline, QStringLiteral("rssKiB"));
        idlePss = ratio(m.idle, m.baseline, QStringLiteral("pssKiB"));
        fullRss = ratio(m.full, m.idle, QStringLiteral("rssKiB"));
        fullPss = ratio(m.full, m.idle, QStringLiteral("pssKiB"));
    }
};

void printSummary(QTextStream &out, const Measurements &m, int tests)
{
    const Series &baseline = m.baseline;
    const Series &idle = m.idle;
    const Series &full = m.full;
    const QJsonObject &last = full.samples.last();
    out << "\n"
        << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
               .arg(QString().leftJustified(26), QStringLiteral("RSS MiB").rightJustified(9),
                   QStringLiteral("PSS MiB").rightJustified(9), QStringLiteral("anon MiB").rightJustified(9),
                   QStringLiteral("file MiB").rightJustified(9), QStringLiteral("PSS range").rightJustified(12));
    for (const Series *s : { &baseline, &idle, &full }) {
        out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                   .arg(s->name.leftJustified(26))
                   .arg(mib(s->medianOf(QStringLiteral("rssKiB"))), 9, 'f', 1)
                   .arg(mib(s->medianOf(QStringLiteral("pssKiB"))), 9, 'f', 1)
                   .arg(mib(s->medianOf(QStringLiteral("pssAnonKiB"))), 9, 'f', 1)
                   .arg(mib(s->medianOf(QStringLiteral("pssFileKiB"))), 9, 'f', 1)
                   .arg(s->range(QStringLiteral("pssKiB")).rightJustified(12));
    }
    const Ratios r(m);
    out << QStringLiteral("idle / baseline:           RSS %1x, PSS %2x\n")
               .arg(r.idleRss, 0, 'f', 2)
               .arg(r.idlePss, 0, 'f', 2)
        << QStringLiteral("with history / idle:       RSS %1x, PSS %2x (+%3 MiB PSS, +%4 MiB anon)\n")
               .arg(r.fullRss, 0, 'f', 2)
               .arg(r.fullPss, 0, 'f', 2)
               .arg(mib(full.medianOf(QStringLiteral("pssKiB")) - idle.medianOf(QStringLiteral("pssKiB"))), 0, 'f', 1)
               .arg(mib(full.medianOf(QStringLiteral("pssAnonKiB")) - idle.medianOf(QStringLiteral("pssAnonKiB"))), 0,
                   'f', 1)
        << QStringLiteral(
               "database:                  %1 MiB (+ %2 MiB WAL) for %3 tests, %4 requests; written in %5 s\n")
               .arg(median(m.dbBytes) / 1048576.0, 0, 'f', 1)
               .arg(median(m.walBytes) / 1048576.0, 0, 'f', 1)
               .arg(tests)
               .arg(m.storedRequests)
               .arg(median(m.fillMs) / 1000.0, 0, 'f', 1)
        << QStringLiteral(
               "history list:              %1 rows; opened test: %2 (%3 lanes, %4 requests in the waterfall)\n")
               .arg(last.value(QStringLiteral("historyRows")).toInt())
               .arg(last.value(QStringLiteral("opened")).toBool() ? QStringLiteral("yes") : QStringLiteral("no"))
               .arg(last.value(QStringLiteral("shownLanes")).toInt())
               .arg(last.value(QStringLiteral("shownRequests")).toInt());
    if (last.contains(QStringLiteral("fleetError")))
        out << "fleet: " << last.value(QStringLiteral("fleetError")).toString() << "\n";
}

QJsonObject summaryJson(const Measurements &m, int repetitions, int settleMs, int tests, int requests)
{
    const Ratios r(m);
    return { { QStringLiteral("repetitions"), repetitions }, { QStringLiteral("settleMs"), settleMs },
        { QStringLiteral("tests"), tests }, { QStringLiteral("requestsPerView"), requests },
        { QStringLiteral("baseline"), m.baseline.toJson() }, { QStringLiteral("idle"), m.idle.toJson() },
        { QStringLiteral("withHistory"), m.full.toJson() },
        { QStringLiteral("ratios"),
            QJsonObject { { QStringLiteral("idleOverBaselineRss"), r.idleRss },
                { QStringLiteral("idleOverBaselinePss"), r.idlePss },
                { QStringLiteral("historyOverIdleRss"), r.fullRss },
                { QStringLiteral("historyOverIdlePss"), r.fullPss } } },
        { QStringLiteral("database"),
            QJsonObject { { QStringLiteral("bytes"), median(m.dbBytes) },
                { QStringLiteral("walBytes"), median(m.walBytes) }, { QStringLiteral("requests"), m.storedRequests },
                { QStringLiteral("fillMs"), median(m.fillMs) } } } };
}

int runParent(int repetitions, int settleMs, int tests, int requests)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    out << "bench_appmemory: " << repetitions << " repetitions, settle " << settleMs << " ms, history of " << tests
        << " tests x 3 regions x 1 run, ~" << requests << " requests per view, platform "
        << qEnvironmentVariable("QT_QPA_PLATFORM", QStringLiteral("offscreen"))
#ifdef QT_DEBUG
        << ", debug build"
#endif
        << "\n";
    out.flush();

    const QString settle = QString::number(settleMs);
    Measurements m;
    m.full = Series { QStringLiteral("app, %1 tests, 1 open").arg(tests), {} };
    for (int rep = 0; rep < repetitions; ++rep) {
        const QString problem = measureOnce(m, settle, tests, requests);
        if (!problem.isEmpty()) {
            err << "bench_appmemory: " << problem << "\n";
            return 1;
        }
        const Series &baseline = m.baseline;
        const Series &idle = m.idle;
        const Series &full = m.full;
        out << "  repetition " << rep + 1 << ": PSS baseline "
            << QString::number(mib(baseline.samples.last().value(QStringLiteral("pssKiB")).toDouble()), 'f', 1)
            << " MiB, idle "
            << QString::number(mib(idle.samples.last().value(QStringLiteral("pssKiB")).toDouble()), 'f', 1)
            << " MiB, with history "
            << QString::number(mib(full.samples.last().value(QStringLiteral("pssKiB")).toDouble()), 'f', 1) << " MiB\n";
        out.flush();
    }
    printSummary(out, m, tests);
    out << QJsonDocument(summaryJson(m, repetitions, settleMs, tests, requests)).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // Only a child shows a window; the parent is a plain QCoreApplication, so it maps no more of Qt than it must
    // (its pages of the shared libraries count in the children's PSS too).
    bool child = false;
    for (int i = 1; i < argc; ++i)
        child = child || qstrcmp(argv[i], "--child") == 0;
    std::unique_ptr<QCoreApplication> app;
    if (child)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeed"));
    QCoreApplication::setApplicationName(QStringLiteral("WorldSpeed"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Memory of the desktop app (RSS and PSS) shown offscreen, idle and with a history of stored tests, against "
        "a bare QApplication with one empty widget. Reports figures; never fails on them."));
    parser.addHelpOption();
    const QCommandLineOption repetitions(QStringLiteral("repetitions"),
        QStringLiteral("Times each measurement is repeated (1-20)."), QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption settleMs(QStringLiteral("settle-ms"),
        QStringLiteral("How long a child runs its event loop after showing its window, before it measures."),
        QStringLiteral("MS"), QStringLiteral("2000"));
    const QCommandLineOption tests(QStringLiteral("tests"), QStringLiteral("Tests in the history (1-10000)."),
        QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption requests(QStringLiteral("requests"),
        QStringLiteral("Typical requests per view (varies by ±20%; 5-1000)."), QStringLiteral("N"),
        QStringLiteral("60"));
    QCommandLineOption childMode(
        QStringLiteral("child"), QStringLiteral("Internal: baseline, app or fill."), QStringLiteral("MODE"));
    childMode.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption db(
        QStringLiteral("db"), QStringLiteral("Internal: the history database."), QStringLiteral("PATH"));
    db.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption open(QStringLiteral("open"), QStringLiteral("Internal: open the newest test."));
    open.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({ repetitions, settleMs, tests, requests, childMode, db, open });
    parser.process(*app);

    QTextStream err(stderr);
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *target) {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < min || value > max) {
            err << "bench_appmemory: --" << option.names().constFirst() << " must be a whole number from " << min
                << " to " << max << "\n";
            return false;
        }
        *target = value;
        return true;
    };
    int reps = 0, settle = 0, testCount = 0, requestCount = 0;
    if (!number(repetitions, 1, 20, &reps) || !number(settleMs, 0, 60'000, &settle)
        || !number(tests, 1, 10'000, &testCount) || !number(requests, 5, 1000, &requestCount))
        return 2;

    const QString mode = parser.value(childMode);
    if (mode.isEmpty())
        return runParent(reps, settle, testCount, requestCount);
    if (mode == u"baseline")
        return childBaseline(settle);
    if (mode == u"app" && parser.isSet(db))
        return childApp(parser.value(db), parser.isSet(open), settle);
    if (mode == u"fill" && parser.isSet(db))
        return childFill(parser.value(db), testCount, requestCount);
    err << "bench_appmemory: unknown child mode " << mode << "\n";
    return 2;
}
