#pragma once

#include "loadscheduler.h"
#include "model/runresult.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QUrl>

// `worldspeed-probe measure URL`: loads a page N times in fresh browser contexts and prints each run and the
// median, as a table or JSON, optionally with a HAR file and a screenshot. Every failure a person can meet has
// its own exit code, so scripts can tell them apart.
class MeasureCommand final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MeasureCommand)

public:
    enum ExitCode {
        Success = 0,
        Usage = 2, // bad arguments, or a URL that is not http(s)
        DnsFailure = 3,
        ConnectionFailed = 4,
        TlsFailure = 5,
        Timeout = 6,
        HttpError = 7, // the document answered 4xx/5xx
        BrowserUnavailable = 8, // Chrome not found or would not start
        BrowserCrashed = 9, // or stopped answering, and was killed
        LoadFailed = 10, // any other load failure, e.g. a response that is not HTTP
        OutputFailed = 11, // the HAR, JSON or screenshot file could not be written
    };
    static int exitCodeFor(LoadError::Kind kind);

    MeasureCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~MeasureCommand() override;

    // Parses the arguments (argv without the program name and the "measure" word). Returns -1 when the command
    // should run, else the exit code to leave with (after --help, or a usage error already printed).
    int parse(const QStringList &arguments);
    void start();

    const QList<RunResult> &runs() const { return m_runs; }

signals:
    void finished(int exitCode);

private:
    void submitNext();
    void onRunFinished(const RunResult &run);
    void report();
    void printTable() const;
    void printHeader() const;
    void printMetricRows() const;
    void printRequests(const ViewResult &view, const QString &title) const;
    void printWarnings() const;
    QJsonObject jsonReport() const;

    QTextStream &m_out;
    QTextStream &m_err;
    LoadScheduler *m_scheduler = nullptr;
    QUrl m_url;
    LoadOptions m_loadOptions;
    ChromeProcess::Options m_chromeOptions;
    int m_runCount = 1;
    bool m_json = false;
    QString m_harPath;
    QString m_screenshotPath;
    QList<RunResult> m_runs;
};
