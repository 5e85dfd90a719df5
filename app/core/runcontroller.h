#pragma once

#include "model/loadoptions.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <optional>

class Autoscaler;
class FleetTest;
class HistoryStore;
class RegionModel;
class WaterfallModel;

// Runs one test at a time from the URL form to the models: fans it out to the chosen regions through the
// autoscaler (once per run when several runs are asked for), and feeds every frame as it arrives to the region
// table, the waterfall and the history database — which writes it at once, so a crash loses nothing received.
class RunController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunController)

public:
    struct Request
    {
        QUrl url;
        LoadOptions options;
        QStringList regions;
        int runs = 1;
    };

    // `history` may be null (nothing is kept). None is owned.
    RunController(Autoscaler *fleet, RegionModel *regions, WaterfallModel *waterfall, HistoryStore *history,
        QObject *parent = nullptr);
    ~RunController() override;

    // What the user typed, as a URL we can test, or nullopt with a message for the form (http and https only).
    static std::optional<QUrl> parseUrl(const QString &text, QString *error);

    bool start(const Request &request, QString *error);
    void cancel();
    bool isRunning() const { return m_running; }
    qint64 testId() const { return m_testId; }
    Request request() const { return m_request; }

signals:
    void started(qint64 testId);
    void progress(int regionsDone, int regionsTotal);
    void finished(qint64 testId);

private:
    void startRun(int runIndex);
    void onRunFinished();

    Autoscaler *m_fleet;
    RegionModel *m_regions;
    WaterfallModel *m_waterfall;
    HistoryStore *m_history;
    Request m_request;
    QPointer<FleetTest> m_current;
    int m_runIndex = 0;
    qint64 m_testId = -1;
    bool m_running = false;
    bool m_cancelled = false;
};
