#include "runcontroller.h"

#include "fleet/autoscaler.h"
#include "fleet/fleettest.h"
#include "historystore.h"
#include "regionmodel.h"
#include "waterfallmodel.h"

RunController::RunController(
    Autoscaler *fleet, RegionModel *regions, WaterfallModel *waterfall, HistoryStore *history, QObject *parent)
    : QObject(parent)
    , m_fleet(fleet)
    , m_regions(regions)
    , m_waterfall(waterfall)
    , m_history(history)
{ }

RunController::~RunController()
{
    delete m_current.data(); // cancels what is still running
}

std::optional<QUrl> RunController::parseUrl(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    const auto fail = [&](const QString &message) -> std::optional<QUrl> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (trimmed.isEmpty())
        return fail(tr("Enter the address of a web page, e.g. https://example.com/"));
    if (trimmed.contains(u' '))
        return fail(tr("A web address has no spaces"));
    // "example.com" is what people type; they mean https.
    QString withScheme = trimmed;
    if (!trimmed.contains(QStringLiteral("://")))
        withScheme = QStringLiteral("https://") + trimmed;
    const QUrl url(withScheme, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid())
        return fail(tr("This is not a valid web address: %1").arg(url.errorString()));
    if (scheme != u"http" && scheme != u"https")
        return fail(tr("Only http:// and https:// pages can be tested, not %1://").arg(url.scheme()));
    if (url.host().isEmpty())
        return fail(tr("The address has no host name"));
    if (!url.host().contains(u'.') && url.host() != u"localhost" && !url.host().contains(u':'))
        return fail(tr("\"%1\" is not a full host name (did you mean %1.com?)").arg(url.host()));
    return url;
}

bool RunController::start(const Request &request, QString *error)
{
    if (m_running) {
        if (error)
            *error = tr("A test is already running");
        return false;
    }
    if (request.regions.isEmpty()) {
        if (error)
            *error = tr("Choose at least one region");
        return false;
    }
    for (const QString &region : request.regions) {
        if (!m_fleet->pool(region)) {
            if (error)
                *error = tr("There is no probe pool for region %1 in the fleet configuration").arg(region);
            return false;
        }
    }
    m_request = request;
    m_request.runs = std::clamp(request.runs, 1, 100);
    m_running = true;
    m_cancelled = false;
    m_regions->beginTest(m_request.runs);
    m_waterfall->clear();
    for (const QString &region : m_request.regions)
        m_waterfall->addLane(region);
    m_testId = m_history
        ? m_history->beginTest(m_request.url.toString(), m_request.options, m_request.regions, m_request.runs)
        : -1;
    emit started(m_testId);
    emit progress(0, static_cast<int>(m_request.regions.size()));
    startRun(0);
    return true;
}

void RunController::startRun(int runIndex)
{
    m_runIndex = runIndex;
    FleetTest *test = m_fleet->submit(m_request.url, m_request.options, m_request.regions);
    m_current = test;
    connect(test, &FleetTest::regionStatus, this,
        [this, test](const QString &region, RunState state, const QString &detail) {
            PoolRun *run = test->run(region);
            m_regions->setStatus(
                region, state, detail, state == RunState::Queued && run && run->waitingForProbeStart());
            if (m_history && m_testId >= 0)
                m_history->setRegionState(m_testId, region, state, detail);
        });
    connect(test, &FleetTest::requestFinished, this,
        [this, runIndex](const QString &region, RunView view, const RequestTiming &request) {
            m_waterfall->addRequest(region, runIndex, view, request);
            if (m_history && m_testId >= 0)
                m_history->addRequest(m_testId, region, runIndex + 1, view, request); // the store counts runs from 1
        });
    connect(test, &FleetTest::metrics, this,
        [this, runIndex](const QString &region, RunView view, const MetricsMessage &metrics) {
            m_regions->addMetrics(region, runIndex, view, metrics.metrics);
            m_waterfall->setPageMetrics(region, runIndex, view, metrics.metrics);
            if (m_history && m_testId >= 0)
                m_history->setMetrics(
                    m_testId, region, runIndex + 1, view, metrics.metrics, metrics.finalUrl, metrics.screenshotPng);
        });
    connect(test, &FleetTest::regionDone, this, [this, test, runIndex](const QString &region, const DoneMessage &done) {
        m_regions->finishRun(region, runIndex, done);
        if (m_history && m_testId >= 0) {
            PoolRun *run = test->run(region);
            m_history->finishRun(
                m_testId, region, runIndex + 1, done.ok, done.error, run && run->cold(), done.browserStartMs);
        }
        emit progress(m_regions->regionsFinished(), static_cast<int>(m_request.regions.size()));
    });
    connect(test, &FleetTest::finished, this, &RunController::onRunFinished);
}

void RunController::onRunFinished()
{
    if (m_current)
        m_current->deleteLater();
    m_current = nullptr;
    if (!m_cancelled && m_runIndex + 1 < m_request.runs) {
        startRun(m_runIndex + 1);
        return;
    }
    m_running = false;
    if (m_history && m_testId >= 0)
        m_history->finishTest(m_testId);
    emit progress(static_cast<int>(m_request.regions.size()), static_cast<int>(m_request.regions.size()));
    emit finished(m_testId);
}

void RunController::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    if (m_current)
        m_current->cancel(); // each region ends with its done, then finished() → onRunFinished
}
