#include "pagereading.h"

#include "blockingtime.h"

#include <QJsonArray>

namespace {

// Chrome's own page metrics, read inside the page. LCP and layout shifts are only reachable through a buffered
// PerformanceObserver, whose entries arrive in a task after observe(); takeRecords() after a short wait collects
// whatever the callback has not. CLS is the largest session window (gaps < 1 s, windows ≤ 5 s), as Chrome
// defines it since 2021. A value the page did not report stays out of the object, so it stays absent. %1 is how long
// the observers get to deliver before their records are taken.
const QString metricsSource = QStringLiteral(R"JS((() => new Promise(resolve => {
  const out = {};
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) {
    if (nav.responseStart > 0) out.responseStart = nav.responseStart;
    if (nav.domContentLoadedEventEnd > 0) out.domContentLoaded = nav.domContentLoadedEventEnd;
    if (nav.loadEventEnd > 0) out.load = nav.loadEventEnd;
    if (nav.responseStatus > 0) out.status = nav.responseStatus;
  }
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  if (fcp) out.fcp = fcp.startTime;
  const supported = PerformanceObserver.supportedEntryTypes || [];
  const collect = (type) => {
    const seen = new Set();
    if (!supported.includes(type)) return null;
    const observer = new PerformanceObserver(list => list.getEntries().forEach(e => seen.add(e)));
    observer.observe({ type, buffered: true });
    return () => { observer.takeRecords().forEach(e => seen.add(e)); observer.disconnect(); return [...seen]; };
  };
  const watched = window.__worldspeedLongTasks;
  if (Array.isArray(watched)) {
    const observer = window.__worldspeedLongTaskObserver;
    if (observer) for (const e of observer.takeRecords()) watched.push([e.startTime, e.duration]);
    out.longTasks = watched.slice(0, 10000);
  }
  const lcp = collect('largest-contentful-paint');
  const shifts = collect('layout-shift');
  setTimeout(() => {
    if (lcp) {
      const entries = lcp();
      if (entries.length) out.lcp = Math.max(...entries.map(e => e.startTime));
    }
    if (shifts) {
      let best = 0, sum = 0, first = -1, last = -1;
      for (const e of shifts().filter(e => !e.hadRecentInput).sort((a, b) => a.startTime - b.startTime)) {
        if (first < 0 || e.startTime - last >= 1000 || e.startTime - first >= 5000) { sum = 0; first = e.startTime; }
        sum += e.value; last = e.startTime; best = Math.max(best, sum);
      }
      out.cls = best;
    }
    resolve(out);
  }, %1);
}))())JS");

// Long tasks are not kept in the performance timeline: only an observer registered before the page's own scripts
// run sees them all. It runs in the top frame of every document the session loads (the repeat view's too).
const QString longTaskWatcherSource = QStringLiteral(R"JS((() => {
  if (window.top !== window || !(PerformanceObserver.supportedEntryTypes || []).includes('longtask')) return;
  const tasks = [];
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (tasks.length < 10000) tasks.push([e.startTime, e.duration]);
  });
  observer.observe({ type: 'longtask', buffered: true });
  Object.defineProperty(window, '__worldspeedLongTasks', { value: tasks });
  Object.defineProperty(window, '__worldspeedLongTaskObserver', { value: observer });
})())JS");

std::optional<double> positive(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (!value.isDouble() || value.toDouble() < 0)
        return std::nullopt;
    return value.toDouble();
}

} // namespace

namespace PageReading {

QString metricsScript()
{
    return metricsSource.arg(50);
}

QString metricsAtLoadScript()
{
    // takeRecords() already holds the buffered entries: the wait would only delay the figures everyone waits for.
    return metricsSource.arg(0);
}

QString longTaskWatcher()
{
    return longTaskWatcherSource;
}

void readPage(PageMetrics &m, const QJsonObject &page, const QList<RequestTiming> &requests, const QString &documentId)
{
    const auto read = [&](const char *key) { return positive(page, QString::fromLatin1(key)); };
    // TTFB is when the final document's first byte arrived, from the network's own timing: under an emulated
    // profile Chrome's Navigation Timing responseStart leaves the emulated latency out (4 ms on "3G" where the
    // document waited 300 ms), and a user on that network would wait for it. Without emulation both agree.
    m.ttfbMs.reset();
    for (const RequestTiming &request : std::as_const(requests)) {
        if (request.id.startsWith(documentId) && request.phases.wait && !request.fromCache && !documentId.isEmpty())
            m.ttfbMs = request.startMs + request.phases.blocked.value_or(0) + request.phases.dns.value_or(0)
                + request.phases.connect.value_or(0) + request.phases.ssl.value_or(0) + request.phases.send.value_or(0)
                + *request.phases.wait;
    }
    if (!m.ttfbMs)
        m.ttfbMs = read("responseStart");
    m.firstContentfulPaintMs = read("fcp");
    m.largestContentfulPaintMs = read("lcp");
    m.domContentLoadedMs = read("domContentLoaded");
    m.loadMs = read("load");
    m.cumulativeLayoutShift = read("cls");
    if (!m.documentStatus && page.value(QStringLiteral("status")).isDouble())
        m.documentStatus = page.value(QStringLiteral("status")).toInt();
    m.requestCount = static_cast<int>(requests.size());
    m.totalEncodedBytes = 0;
    m.totalDecodedBytes = 0;
    for (const RequestTiming &request : std::as_const(requests)) {
        m.totalEncodedBytes += request.encodedBytes.value_or(0);
        m.totalDecodedBytes += request.decodedBytes.value_or(0);
    }
}

PageMetrics readAtLoad(
    const PageMetrics &known, const QJsonObject &page, const QList<RequestTiming> &requests, const QString &documentId)
{
    PageMetrics m = known;
    readPage(m, page, requests, documentId);
    // Whatever needs the view's end is not known yet, and so absent.
    m.fullyLoadedMs.reset();
    m.totalBlockingTimeMs.reset();
    m.longTaskCount.reset();
    m.longestTaskMs.reset();
    return m;
}

QList<LongTask> readLongTasks(PageMetrics &m, const QJsonObject &page)
{
    if (!page.contains(QStringLiteral("longTasks")))
        return {};
    const QList<LongTask> tasks = BlockingTime::tasksFromJson(page.value(QStringLiteral("longTasks")).toArray());
    const std::optional<double> windowEnd = m.fullyLoadedMs ? m.fullyLoadedMs : m.loadMs;
    const BlockingTime::Metrics blocking = BlockingTime::compute(tasks, m.firstContentfulPaintMs, windowEnd);
    m.totalBlockingTimeMs = blocking.totalBlockingTimeMs;
    m.longTaskCount = blocking.longTaskCount;
    m.longestTaskMs = blocking.longestTaskMs;
    return BlockingTime::counted(tasks, windowEnd, LongTask::maxPerView);
}

std::optional<LoadError> httpError(
    const PageMetrics &m, const QList<RequestTiming> &requests, const QString &documentId)
{
    if (!m.documentStatus || *m.documentStatus < 400)
        return std::nullopt;
    QString statusText;
    for (const RequestTiming &request : std::as_const(requests)) {
        if (request.id.startsWith(documentId) && request.status == m.documentStatus)
            statusText = request.statusText;
    }
    return LoadError { LoadError::Kind::HttpError,
        QStringLiteral("the page answered HTTP %1%2")
            .arg(*m.documentStatus)
            .arg(statusText.isEmpty() ? QString() : u' ' + statusText) };
}

} // namespace PageReading
