#pragma once

#include "chromeprocess.h"
#include "connectiongate.h"
#include "egressproxy.h"
#include "protocol/codec.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QUrl>

#include <memory>
#include <optional>

class LoadScheduler;
class PageLoad;
class QTimer;
class QWebSocket;
class UrlPolicy;

// The probe's side of protocol v1 (shared/protocol/PROTOCOL.md): takes the clients its ConnectionGate has
// authenticated, greets them, takes their runs, streams each run's status, requests and metrics as they happen,
// and never lets one client see or cancel another's runs. Loads run in one browser through a LoadScheduler, at
// most maxConcurrency at once, up to queueLimit more waiting; beyond that a run is answered `busy`. Waiting runs
// go to the browser in turns, one client after another, so one client's many runs cannot hold another's. A
// client that does not read what it is sent is dropped once its unsent backlog passes maxSendBacklogBytes, rather
// than fed until the probe runs out of memory.
class ProbeServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProbeServer)

public:
    struct Options
    {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 0;
        QString probeId; // empty: a random one
        QString region;
        QByteArray token; // required; compared in constant time
        std::optional<QSslConfiguration> tls; // wss when set
        int maxConcurrency = 1;
        int queueLimit = 16;
        ConnectionGate::Limits gate; // the handshake's deadline and the caps on unauthenticated connections
        // Unsent bytes beyond the largest frame still unsent (a metrics frame with a screenshot may be 16 MiB), so
        // one big frame on a slow link never trips it alone, yet a client that stops reading costs the probe
        // little more than that.
        qint64 maxSendBacklogBytes = 4 * 1024 * 1024;
        std::shared_ptr<const UrlPolicy> policy; // required
        EgressProxy::Limits egress; // each guarded load's proxy (the policy refuses private targets)
        ChromeProcess::Options chrome;
    };

    explicit ProbeServer(Options options, QObject *parent = nullptr);
    ~ProbeServer() override;

    bool listen(QString *error);
    QUrl endpoint() const; // with the real port
    QString probeId() const { return m_options.probeId; }

    int clientCount() const; // authenticated and greeted
    int runCount() const { return static_cast<int>(m_runs.size()); }
    // Connections that have not authenticated do not count: they must not keep a probe from idling down.
    bool isIdle() const { return m_sessions.isEmpty() && m_runs.isEmpty(); }
    const ConnectionGate *gate() const { return m_gate; }
    // Where the runs load: one browser, and while a client is here, a context prepared for the next run.
    LoadScheduler *scheduler() const { return m_scheduler; }

    // Starts the browser before any run asks for it (LoadScheduler::startBrowser()).
    void startBrowser();
    // Takes no new runs, lets the running ones finish for up to `graceMs`, cancels what is left, says goodbye
    // (1001) to every client and closes the browser cleanly. Emits stopped() when all of that is done.
    void shutdown(int graceMs);
    // Cancels every run now (the parent is gone: nobody will read the results).
    void cancelAll(const QString &why);

signals:
    void idleChanged(bool idle);
    // An authenticated client said hello / the last one went away.
    void clientCountChanged(int count);
    void stopped();

private:
    struct Session;
    struct Run
    {
        RunMessage message;
        Session *owner = nullptr; // null once the owner has gone: nothing is sent then
        QPointer<PageLoad> load; // null until it goes to the browser
        bool allowed = false; // the URL policy has let it through; it waits for its share of the browser
        quint64 allowedOrder = 0;
        bool cancelled = false;
    };

    void onAuthenticated(QWebSocket *socket);
    void onTextMessage(Session *session, const QString &text);
    void onHello(Session *session, const DecodedFrame &frame);
    void onRun(Session *session, const RunMessage &run);
    void onCancel(Session *session, const CancelMessage &cancel);
    void pumpRuns();
    void startRun(const QString &key);
    void finishRun(const QString &key, const DoneMessage &done);
    void sendTo(Session *session, const Message &message);
    void sendToOwner(const QString &key, const Message &message);
    void broadcastLoad();
    LoadMessage currentLoad() const;
    void dropSession(Session *session);
    void updateIdle();
    void finishShutdown();

    Options m_options;
    ConnectionGate *m_gate = nullptr;
    LoadScheduler *m_scheduler = nullptr;
    QHash<QWebSocket *, Session *> m_sessions; // authenticated clients only
    QHash<QString, Run> m_runs; // key: session address + run id, so run ids are per connection
    quint64 m_nextAllowedOrder = 0;
    quint64 m_nextSessionOrder = 0;
    quint64 m_lastServedOrder = 0; // the client whose run went to the browser last
    bool m_pumping = false;
    bool m_idle = true;
    LoadMessage m_lastLoad;
    bool m_draining = false;
    bool m_stopping = false;
    QTimer *m_drainTimer = nullptr;
};
