#pragma once

#include "model/childprocessjob.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>

class CdpConnection;
class QTemporaryDir;

// One headless Chromium with a private profile and its own HOME and TMPDIR, all inside one temporary folder
// that goes away with it. Driven over CDP through --remote-debugging-pipe: the browser inherits its end of the
// pipe as descriptors 3 and 4 and opens no DevTools port, so no other process, of any user, can reach it. A pipe
// that ends means the browser is gone (reported as crashed). Windows, which cannot hand a child those descriptors,
// still uses --remote-debugging-port=0 and reads the port Chrome picked from DevToolsActivePort.
class ChromeProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChromeProcess)

public:
    enum class State { NotRunning, Starting, Running, Stopping };

    struct Options
    {
        QString executable; // empty: look in the usual places
        QStringList extraArguments;
        int startTimeoutMs = 30'000;
        int windowWidth = 1366; // WebPageTest's desktop default
        int windowHeight = 768;
        // Health check: once a command has waited a second, the browser is asked a cheap question
        // (Browser.getVersion); no answer within this limit means it stopped answering (hung, stopped): it is
        // killed, and stoppedAnswering() says so. Generous, since the answer also waits for our own event loop,
        // which a loaded machine can hold up for seconds; runs end at their own time limits meanwhile.
        int answerLimitMs = 10'000;
    };

    explicit ChromeProcess(Options options, QObject *parent = nullptr);
    ~ChromeProcess() override;

    // The browser to run: the explicit path if it is executable, else the first of the usual install places,
    // else empty.
    static QString findExecutable(const QString &explicitPath = {});
    static QStringList defaultArguments();

    void start();
    // Browser.close, then the process's end; SIGKILL if it does not end in time. Emits stopped().
    void stop(int graceMs = 5'000);
    // For shutdown paths that cannot wait on the event loop.
    void stopNow(int graceMs = 3'000);

    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    CdpConnection *cdp() const { return m_cdp; }
    QString version() const { return m_version; }
    QString executable() const { return m_executable; }
    std::optional<double> startMs() const { return m_startMs; }
    qint64 processId() const { return m_process ? m_process->processId() : 0; }
    QString profileRoot() const;

signals:
    void ready();
    void startFailed(const QString &reason);
    // The browser went away without being asked to.
    void crashed(const QString &reason);
    // The browser stopped answering DevTools and was killed for it (instead of crashed()).
    void stoppedAnswering(const QString &reason);
    void stopped();

private:
    void failLater(const QString &reason);
    bool makeProfile(QString *error);
    QProcessEnvironment browserEnvironment() const;
    void launch(const QStringList &args);
    void connectDevTools();
#ifdef Q_OS_WIN
    void pollDevToolsPort();
#endif
    void onCdpOpened();
    void onCdpClosed(const QString &reason);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void checkHealth();
    void killUnresponsive(const QString &reason);
    void fail(const QString &reason);
    void cleanUp();

    Options m_options;
    State m_state = State::NotRunning;
    QString m_executable;
    QString m_version;
    std::optional<double> m_startMs;
    std::unique_ptr<QTemporaryDir> m_root;
    QProcess *m_process = nullptr;
    ChildProcessJob m_job; // Windows: the browser and its helpers end with the probe, however it ends
    CdpConnection *m_cdp = nullptr;
#ifdef Q_OS_WIN
    QTimer m_pollTimer; // waits for DevToolsActivePort
#endif
    QTimer m_killTimer;
    QTimer m_healthTimer;
    bool m_healthCheckPending = false;
    QString m_unresponsive; // why the health check killed the browser; empty otherwise
    QElapsedTimer m_clock;
    QByteArray m_stderrTail;
};
