#pragma once

#include "loadscheduler.h"
#include "model/runresult.h"
#include "pageload.h"

#include <QSignalSpy>
#include <QTest>

// QCOMPARE prints these by name.
namespace QTest {
template<> inline char *toString(const RequestTiming::Outcome &outcome)
{
    return qstrdup(qPrintable(RequestTiming::outcomeName(outcome)));
}
template<> inline char *toString(const LoadError::Kind &kind)
{
    return qstrdup(qPrintable(LoadError::kindName(kind)));
}
} // namespace QTest

// What every browser test needs: Chromium options for this closed network, and a way to run one load to its end.
namespace BrowserTest {

inline ChromeProcess::Options chromeOptions()
{
    ChromeProcess::Options options;
    // The test machine has no route out; without this Chrome keeps trying QUIC to nowhere.
    options.extraArguments << QStringLiteral("--disable-quic");
    return options;
}

// Submits one load and waits for it to finish; the result is returned, the load deleted.
inline RunResult run(LoadScheduler &scheduler, const QUrl &url, LoadOptions options = {}, int waitMs = 90'000)
{
    PageLoad *load = scheduler.submit(url, options);
    QSignalSpy finished(load, &PageLoad::finished);
    if (!finished.wait(waitMs)) {
        qWarning("load of %s did not finish within %d ms", qPrintable(url.toString()), waitMs);
        load->deleteLater();
        RunResult timedOut;
        timedOut.firstView.error = LoadError { LoadError::Kind::Other, QStringLiteral("the test gave up waiting") };
        return timedOut;
    }
    RunResult result = load->result();
    delete load;
    return result;
}

// The first error of a run, for failure messages.
inline QString errorText(const RunResult &run)
{
    if (run.firstView.error)
        return QStringLiteral("first view: ") + run.firstView.error->message;
    if (run.repeatView && run.repeatView->error)
        return QStringLiteral("repeat view: ") + run.repeatView->error->message;
    return {};
}

} // namespace BrowserTest
