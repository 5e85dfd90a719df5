// How soon each of N regions answers a test that is fanned out to all of them: N local regions (a LocalBackend each,
// so one `worldspeed-probe serve` and one browser per region, as the default fleet runs them), one RunController
// (what Go and `worldspeed-cli run` drive), and per round the time from start() to each region's first status frame
// and to its first load time. A benchmark reports; it never passes or fails on a number. It exits non-zero only when
// a run did not work. How to run it, and what each figure is: README.md next to this file.
#include "benchfigures.h"
#include "fleet/fleet.h"
#include "fleet/localbackend.h"
#include "runcontroller.h"
#include "testwebserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

constexpr int roundTimeoutMs = 180'000;

using BenchFigures::msSince;
using BenchFigures::summary;

QString describe(const QJsonObject &s)
{
    return BenchFigures::describe(s, 1);
}

// One round's times per region, from RunController::start().
struct Round
{
    QHash<QString, double> firstStatus; // the probe's first `status` frame (queued, as it takes the run)
    QHash<QString, double> loading; // its `status` loading: the run is in the browser
    QHash<QString, double> loaded; // the first frame with the load time
    QHash<QString, double> pageLoad; // the page's own load time (loadEventEnd), as the region measured it
    QHash<QString, bool> cold; // the run waited for a probe to boot
    double startReturnedMs = 0; // start() itself: the fan-out's own serial share
    QStringList failed;
    int done = 0;
};

// Runs one test in every region and waits for its end.
bool runRound(RunController &controller, const RunController::Request &request, Round *round)
{
    QElapsedTimer clock;
    QEventLoop loop;
    QList<QMetaObject::Connection> connections;
    connections << QObject::connect(
        &controller, &RunController::regionState, [&](const QString &region, RunState state, const QString &, bool) {
            if (!round->firstStatus.contains(region))
                round->firstStatus.insert(region, msSince(clock));
            if (state == RunState::Loading && !round->loading.contains(region))
                round->loading.insert(region, msSince(clock));
        });
    connections << QObject::connect(
        &controller, &RunController::viewLoaded, [&](const QString &region, int, RunView view, const PageMetrics &) {
            if (view == RunView::First && !round->loaded.contains(region))
                round->loaded.insert(region, msSince(clock));
        });
    connections << QObject::connect(&controller, &RunController::viewMeasured,
        [&](const QString &region, int, RunView view, const PageMetrics &metrics) {
            if (view == RunView::First && metrics.loadMs)
                round->pageLoad.insert(region, *metrics.loadMs);
        });
    connections << QObject::connect(&controller, &RunController::runFinished,
        [&](const QString &region, int, const std::optional<LoadError> &error, bool cold, std::optional<double>) {
            round->cold.insert(region, cold);
            if (error)
                round->failed << region + u": " + error->message;
            ++round->done;
        });
    connections << QObject::connect(&controller, &RunController::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(roundTimeoutMs, &loop, &QEventLoop::quit);
    QString error;
    clock.start();
    if (!controller.start(request, &error)) {
        qCritical("the test did not start: %s", qPrintable(error));
        return false;
    }
    round->startReturnedMs = msSince(clock);
    loop.exec();
    for (const auto &connection : std::as_const(connections))
        QObject::disconnect(connection);
    return !controller.isRunning() && round->done == request.regions.size() && round->failed.isEmpty();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The time from starting a test to each region's first frame."));
    parser.addHelpOption();
    const QCommandLineOption regionsOption(QStringLiteral("regions"), QStringLiteral("Local regions (default 8)."),
        QStringLiteral("n"), QStringLiteral("8"));
    const QCommandLineOption roundsOption(
        QStringLiteral("rounds"), QStringLiteral("Hot rounds (default 7)."), QStringLiteral("n"), QStringLiteral("7"));
    const QCommandLineOption chromeOption(QStringLiteral("chrome"),
        QStringLiteral("Chromium to use (default: the probe's choice)."), QStringLiteral("path"));
    const QCommandLineOption pauseOption(QStringLiteral("pause"),
        QStringLiteral("Pause between rounds in ms (default 1500), as between a person's tests."), QStringLiteral("ms"),
        QStringLiteral("1500"));
    parser.addOptions({ regionsOption, roundsOption, chromeOption, pauseOption });
    parser.process(app);
    const int regionCount = std::clamp(parser.value(regionsOption).toInt(), 1, 32);
    const int rounds = std::max(1, parser.value(roundsOption).toInt());
    const int pauseMs = std::max(0, parser.value(pauseOption).toInt());

    QTextStream out(stdout);
    TestWebServer web;
    if (!web.listen()) {
        qCritical("the test site did not start");
        return 1;
    }
    TestWebServer::Response page;
    page.body = "<!doctype html><title>fan-out</title><img src=\"/asset?type=png&size=2000&delay=300\">";
    web.route(QStringLiteral("/page"), page);

    Fleet fleet;
    std::vector<std::unique_ptr<LocalBackend>> backends;
    RunController::Request request;
    request.url = web.url(QStringLiteral("/page"));
    for (int i = 1; i <= regionCount; ++i) {
        LocalBackend::Settings settings;
        settings.probePath = QStringLiteral(WORLDSPEED_PROBE_EXE);
        settings.chromePath = parser.value(chromeOption);
        settings.chromeArguments = { QStringLiteral("--disable-quic") }; // no route out of this machine
        settings.region = QStringLiteral("bench-%1").arg(i);
        settings.maxConcurrency = 1;
        backends.push_back(std::make_unique<LocalBackend>(settings));
        PoolOptions options;
        options.min = 1; // booted at once and kept: the rounds after the first are hot
        options.max = 1;
        options.idleShutdownAfterMs = 3'600'000;
        QString error;
        if (!fleet.addRegion(settings.region, options, backends.back().get(), &error)) {
            qCritical("region %s: %s", qPrintable(settings.region), qPrintable(error));
            return 1;
        }
        request.regions << settings.region;
    }
    RunController controller(&fleet);

    out << "bench_fanout: " << regionCount << " local regions, " << rounds << " hot rounds after a cold one, "
        << pauseMs << " ms apart; page " << request.url.toString() << "\n\n";
    QHash<QString, QList<double>> statusByRegion, loadingByRegion, loadedByRegion, pageLoadByRegion;
    QList<double> lastStatus, lastLoading, spread, startReturned;
    QJsonArray samples;
    for (int r = 0; r <= rounds; ++r) {
        Round round;
        // The probes prepare the next run's browser context once a run ends: a round sent the moment the last one
        // ended would find the slowest regions still making theirs, which is not how a person presses Go again.
        if (r > 0 && pauseMs > 0) {
            QEventLoop pause;
            QTimer::singleShot(pauseMs, &pause, &QEventLoop::quit);
            pause.exec();
        }
        if (!runRound(controller, request, &round)) {
            qCritical("round %d did not work: %s", r, qPrintable(round.failed.join(u"; ")));
            return 1;
        }
        QList<double> statuses, loadings;
        QJsonObject sample { { QStringLiteral("round"), r },
            { QStringLiteral("startReturnedMs"), round.startReturnedMs } };
        QJsonObject perRegion;
        for (const QString &region : std::as_const(request.regions)) {
            statuses << round.firstStatus.value(region, -1);
            loadings << round.loading.value(region, -1);
            perRegion.insert(region,
                QJsonObject { { QStringLiteral("firstStatusMs"), round.firstStatus.value(region, -1) },
                    { QStringLiteral("loadingMs"), round.loading.value(region, -1) },
                    { QStringLiteral("loadFrameMs"), round.loaded.value(region, -1) },
                    { QStringLiteral("pageLoadMs"), round.pageLoad.value(region, -1) },
                    { QStringLiteral("cold"), round.cold.value(region) } });
            if (r > 0) {
                statusByRegion[region] << round.firstStatus.value(region, -1);
                loadingByRegion[region] << round.loading.value(region, -1);
                loadedByRegion[region] << round.loaded.value(region, -1);
                if (round.pageLoad.contains(region))
                    pageLoadByRegion[region] << round.pageLoad.value(region);
            }
        }
        sample.insert(QStringLiteral("regions"), perRegion);
        samples.append(sample);
        const double firstOfAll = *std::min_element(statuses.cbegin(), statuses.cend());
        const double lastOfAll = *std::max_element(statuses.cbegin(), statuses.cend());
        out << (r == 0 ? QStringLiteral("cold ") : QStringLiteral("hot %1").arg(r)) << ": first status frame "
            << QString::number(firstOfAll, 'f', 1) << " … " << QString::number(lastOfAll, 'f', 1) << " ms; loading "
            << QString::number(*std::min_element(loadings.cbegin(), loadings.cend()), 'f', 1) << " … "
            << QString::number(*std::max_element(loadings.cbegin(), loadings.cend()), 'f', 1) << " ms\n";
        if (r > 0) {
            lastStatus << lastOfAll;
            lastLoading << *std::max_element(loadings.cbegin(), loadings.cend());
            spread << lastOfAll - firstOfAll;
            startReturned << round.startReturnedMs;
        }
        out.flush();
    }

    out << "\nhot, per region over " << rounds << " rounds: median (min … max) ms\n"
        << "region      first status frame        loading                   load-time frame           "
           "page's own load\n";
    QJsonObject regions;
    for (const QString &region : std::as_const(request.regions)) {
        const QJsonObject status = summary(statusByRegion.value(region));
        const QJsonObject loading = summary(loadingByRegion.value(region));
        const QJsonObject loaded = summary(loadedByRegion.value(region));
        const QJsonObject pageLoad = summary(pageLoadByRegion.value(region));
        out << region.leftJustified(12) << describe(status).leftJustified(26) << describe(loading).leftJustified(26)
            << describe(loaded).leftJustified(26) << describe(pageLoad) << '\n';
        regions.insert(region,
            QJsonObject { { QStringLiteral("firstStatusMs"), status }, { QStringLiteral("loadingMs"), loading },
                { QStringLiteral("loadFrameMs"), loaded }, { QStringLiteral("pageLoadMs"), pageLoad } });
    }
    const QJsonObject lastStatusSummary = summary(lastStatus);
    out << "\nhot: the last region's first status frame " << describe(lastStatusSummary)
        << " ms after start (per round); its loading status " << describe(summary(lastLoading))
        << " ms; first to last region " << describe(summary(spread)) << " ms; start() itself "
        << describe(summary(startReturned)) << " ms\n";
    const QJsonObject report { { QStringLiteral("regions"), regionCount }, { QStringLiteral("rounds"), rounds },
        { QStringLiteral("perRegion"), regions }, { QStringLiteral("lastFirstStatusMs"), lastStatusSummary },
        { QStringLiteral("lastLoadingMs"), summary(lastLoading) },
        { QStringLiteral("firstToLastStatusMs"), summary(spread) },
        { QStringLiteral("startReturnedMs"), summary(startReturned) }, { QStringLiteral("samples"), samples } };
    out << QJsonDocument(report).toJson(QJsonDocument::Compact) << '\n';
    out.flush();
    fleet.shutdown();
    return 0;
}
