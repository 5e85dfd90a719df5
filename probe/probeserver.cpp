#include "probeserver.h"

#include "egressproxy.h"
#include "loadscheduler.h"
#include "pageload.h"
#include "startedbatcher.h"
#include "urlpolicy.h"

#include <QLoggingCategory>
#include <QSet>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include <tuple>

Q_LOGGING_CATEGORY(lcServer, "worldspeed.server", QtInfoMsg)

namespace {

RunState runStateOf(PageLoad::State state)
{
    switch (state) {
    case PageLoad::State::Queued:
        return RunState::Queued;
    case PageLoad::State::StartingBrowser:
        return RunState::StartingBrowser;
    case PageLoad::State::Loading:
        return RunState::Loading;
    case PageLoad::State::Complete:
        return RunState::Complete;
    case PageLoad::State::Failed:
        break;
    }
    return RunState::Error;
}

RunView runViewOf(PageLoad::View view)
{
    return view == PageLoad::View::First ? RunView::First : RunView::Repeat;
}

// Why a run failed (`status`, `done`): the first failed step's error, naming a later step ("step 2: …") as
// `worldspeed-probe measure` does; else the repeat view's.
std::optional<LoadError> runErrorOf(const RunResult &result)
{
    for (qsizetype step = 0; step < result.stepCount(); ++step) {
        if (std::optional<LoadError> error = result.stepView(step).error) {
            if (step > 0)
                error->message = QString(QStringLiteral("step %1: ").arg(step + 1) + error->message)
                                     .left(ProtocolLimits::maxErrorMessageLength);
            return error;
        }
    }
    return result.repeatView ? result.repeatView->error : std::nullopt;
}

// The step (from 1) a load's signal is of: the load's current one, since its signals come as it moves on.
int stepOf(const PageLoad *load)
{
    return static_cast<int>(load->currentStep()) + 1;
}

} // namespace

// An authenticated client.
struct ProbeServer::Session
{
    QWebSocket *socket = nullptr;
    FrameCodec codec;
    QHostAddress peer;
    quint64 order = 0; // when it authenticated, for the runs' turns
    bool greeted = false;
    bool wantsStarted = false; // its hello asked for `started` frames
    bool dropping = false; // too slow a reader: being cut off, nothing more is sent
    qint64 largestUnsentFrame = 0; // the largest frame queued since the backlog was last empty
    QSet<QString> runKeys;
};

ProbeServer::ProbeServer(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    if (m_options.probeId.isEmpty())
        m_options.probeId = QUuid::createUuid().toString(QUuid::Id128).left(16);
    m_gate = new ConnectionGate(m_options.token, m_options.tls, m_options.gate, this);
    connect(m_gate, &ConnectionGate::authenticated, this, &ProbeServer::onAuthenticated);
    ChromeProcess::Options chrome = m_options.chrome;
    if (m_options.policy && !m_options.policy->allowsPrivateTargets())
        chrome.extraArguments += EgressProxy::browserArguments(); // loads go through their EgressProxy
    m_scheduler = new LoadScheduler(LoadScheduler::Options { chrome, m_options.maxConcurrency }, this);
    m_scheduler->setGuard(BrowserContext::Guard { m_options.policy, m_options.egress });
    connect(m_scheduler, &LoadScheduler::loadChanged, this, [this] {
        broadcastLoad();
        pumpRuns();
    });
}

ProbeServer::~ProbeServer()
{
    const auto sessions = m_sessions;
    for (Session *session : sessions) {
        session->socket->disconnect(this);
        session->socket->abort();
        delete session;
    }
    m_sessions.clear();
}

bool ProbeServer::listen(QString *error)
{
    if (m_options.token.isEmpty()) {
        *error = QStringLiteral("no token: a probe accepts only authenticated clients");
        return false;
    }
    if (!m_options.policy) {
        *error = QStringLiteral("no URL policy");
        return false;
    }
    return m_gate->listen(m_options.address, m_options.port, error);
}

QUrl ProbeServer::endpoint() const
{
    QHostAddress address = m_gate->serverAddress();
    QString host = address.toString();
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
        host = QStringLiteral("0.0.0.0");
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    return QUrl(QStringLiteral("%1://%2:%3").arg(m_options.tls ? u"wss" : u"ws", host).arg(m_gate->serverPort()));
}

int ProbeServer::clientCount() const
{
    int count = 0;
    for (const Session *session : m_sessions)
        count += session->greeted ? 1 : 0;
    return count;
}

void ProbeServer::onAuthenticated(QWebSocket *socket)
{
    socket->setParent(this);
    // Twice the limit: a message between the two is read and answered with frame-too-large; a larger one is
    // stopped by the WebSocket layer at its header (1009 alone), so it is never buffered whole.
    socket->setMaxAllowedIncomingMessageSize(quint64(2 * FrameCodec::defaultMaxFrameBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(2 * FrameCodec::defaultMaxFrameBytes));
    auto *session = new Session;
    session->socket = socket;
    session->peer = socket->peerAddress();
    session->order = ++m_nextSessionOrder;
    m_sessions.insert(socket, session);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        if (Session *s = m_sessions.value(socket))
            dropSession(s);
    });
    updateIdle();
    if (m_draining) {
        socket->close(static_cast<QWebSocketProtocol::CloseCode>(ProtocolCloseCode::GoingAway),
            QStringLiteral("the probe is shutting down"));
        return;
    }
    connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &text) {
        if (Session *s = m_sessions.value(socket))
            onTextMessage(s, text);
    });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this, socket](const QByteArray &) {
        if (Session *s = m_sessions.value(socket))
            sendTo(s,
                ErrorMessage { ProtocolError::malformed.toString(), QStringLiteral("binary frames are not used"), {} });
    });
}

void ProbeServer::onTextMessage(Session *session, const QString &text)
{
    const DecodedFrame frame = session->codec.decode(text);
    if (!frame.ok() && frame.error.code == ProtocolError::frameTooLarge) {
        sendTo(session, ErrorMessage::from(frame.error, frame.runId));
        session->socket->close(QWebSocketProtocol::CloseCodeTooMuchData, frame.error.message);
        return;
    }
    if (!session->greeted) {
        onHello(session, frame);
        return;
    }
    if (!frame.ok()) {
        sendTo(session, ErrorMessage::from(frame.error, frame.runId));
        return;
    }
    const Message &message = *frame.message;
    if (const auto *run = std::get_if<RunMessage>(&message))
        onRun(session, *run);
    else if (const auto *cancel = std::get_if<CancelMessage>(&message))
        onCancel(session, *cancel);
    else if (std::holds_alternative<AuthMessage>(message) || std::holds_alternative<HelloMessage>(message))
        sendTo(session,
            ErrorMessage { QStringLiteral("invalid-message"), QStringLiteral("the handshake is already done"), {} });
    else if (!std::holds_alternative<ErrorMessage>(message)) // a client's error needs no answer
        sendTo(session,
            ErrorMessage { QStringLiteral("invalid-message"),
                QStringLiteral("%1 is sent by probes, not clients").arg(messageType(message)), frame.runId });
}

void ProbeServer::onHello(Session *session, const DecodedFrame &frame)
{
    const auto *hello = frame.ok() ? std::get_if<HelloMessage>(&*frame.message) : nullptr;
    if (!hello) {
        sendTo(session,
            ErrorMessage {
                ProtocolError::handshakeRequired.toString(), QStringLiteral("send hello first"), frame.runId });
        return;
    }
    ProtocolError error;
    const auto chosen = VersionRange::negotiate(hello->supported, VersionRange::supported(), &error);
    if (!chosen) {
        sendTo(session, ErrorMessage::from(error));
        session->socket->close(
            static_cast<QWebSocketProtocol::CloseCode>(ProtocolCloseCode::UnsupportedVersion), error.message);
        return;
    }
    session->codec.setNegotiatedVersion(*chosen);
    session->greeted = true;
    session->wantsStarted = hello->capabilities.contains(HelloMessage::startedCapability);
    HelloMessage answer;
    answer.role = HelloMessage::Role::Probe;
    answer.software = QStringLiteral("worldspeed-probe");
    answer.version = QStringLiteral(WORLDSPEED_VERSION);
    answer.chosen = *chosen;
    answer.probeId = m_options.probeId;
    answer.region = m_options.region;
    answer.capacity = m_draining ? 0 : m_options.maxConcurrency;
    answer.browserVersion = m_scheduler->browser()->version();
    answer.capabilities = LoadOptions::capabilities() << HelloMessage::startedCapability.toString();
    answer.cpuBenchmarkIndex = m_scheduler->cpuBenchmarkIndex();
    sendTo(session, answer);
    sendTo(session, currentLoad());
    qCInfo(lcServer) << "client" << session->peer.toString() << "connected:" << hello->software << hello->version;
    emit clientCountChanged(clientCount());
    updateIdle();
}

LoadMessage ProbeServer::currentLoad() const
{
    int waiting = 0;
    for (const Run &run : m_runs)
        waiting += (!run.load || run.load->state() == PageLoad::State::Queued
                       || run.load->state() == PageLoad::State::StartingBrowser)
            ? 1
            : 0;
    const int active = static_cast<int>(m_runs.size()) - waiting;
    return LoadMessage { active, m_draining ? 0 : m_options.maxConcurrency, waiting };
}

void ProbeServer::broadcastLoad()
{
    const LoadMessage load = currentLoad();
    // Several internal events can leave the numbers as they were; clients hear only about changes.
    if (load == m_lastLoad)
        return;
    m_lastLoad = load;
    for (Session *session : std::as_const(m_sessions)) {
        if (session->greeted)
            sendTo(session, load);
    }
}

void ProbeServer::onRun(Session *session, const RunMessage &message)
{
    const QString key = QString::number(reinterpret_cast<quintptr>(session)) + u'/' + message.runId;
    if (m_runs.contains(key)) {
        sendTo(session,
            ErrorMessage { ProtocolError::duplicateRun.toString(),
                QStringLiteral("run %1 is already live on this connection").arg(message.runId), message.runId });
        return;
    }
    if (m_draining) {
        sendTo(session,
            ErrorMessage {
                ProtocolError::busy.toString(), QStringLiteral("the probe is shutting down"), message.runId });
        return;
    }
    if (m_runs.size() >= m_options.maxConcurrency + m_options.queueLimit) {
        sendTo(session,
            ErrorMessage { ProtocolError::busy.toString(),
                QStringLiteral("%1 runs active or queued, queue full").arg(m_runs.size()), message.runId });
        return;
    }
    // A client that did not check our hello hears so at once rather than getting less than it asked for.
    for (const QString &needed : message.options.requiredCapabilities()) {
        if (!LoadOptions::capabilities().contains(needed)) {
            sendTo(session,
                ErrorMessage { ProtocolError::invalidMessage.toString(),
                    QStringLiteral("this probe cannot honour the option \"%1\"").arg(needed), message.runId });
            return;
        }
    }
    Run run;
    run.message = message;
    run.owner = session;
    m_runs.insert(key, run);
    session->runKeys.insert(key);
    sendTo(session, StatusMessage { message.runId, RunState::Queued, {} });
    broadcastLoad();
    updateIdle();

    // The URL is not trusted: the policy looks at it (and resolves its host) before a browser ever does.
    const QUrl url(message.url, QUrl::StrictMode);
    m_options.policy->check(url, this, [this, key, message](const UrlPolicy::Verdict &verdict) {
        auto it = m_runs.find(key);
        if (it == m_runs.end() || it->cancelled)
            return;
        if (!verdict.allowed) {
            qCInfo(lcServer) << "refused run" << message.runId << ":" << verdict.reason;
            finishRun(key,
                DoneMessage { message.runId, false,
                    LoadError { LoadError::Kind::Refused, QStringLiteral("refused: %1").arg(verdict.reason) },
                    std::nullopt, {}, {}, {} });
            return;
        }
        it->allowed = true;
        it->allowedOrder = m_nextAllowedOrder++;
        pumpRuns();
    });
}

void ProbeServer::pumpRuns()
{
    // submit() reports the new load at once, which brings us back here before the run has its load.
    if (m_pumping)
        return;
    m_pumping = true;
    while (m_scheduler->activeCount() + m_scheduler->queuedCount() < m_scheduler->capacity()) {
        // Round robin: the oldest waiting run of the first client after the one served last (wrapping around), so
        // one client's many runs cannot make another's wait behind them all.
        auto next = m_runs.end();
        const auto turn = [this](const Run &run) {
            const quint64 order = run.owner->order;
            return std::tuple(order <= m_lastServedOrder, order, run.allowedOrder);
        };
        for (auto it = m_runs.begin(); it != m_runs.end(); ++it) {
            if (it->allowed && !it->load && !it->cancelled && it->owner
                && (next == m_runs.end() || turn(*it) < turn(*next))) {
                next = it;
            }
        }
        if (next == m_runs.end())
            break;
        m_lastServedOrder = next->owner->order;
        startRun(next.key());
    }
    m_pumping = false;
}

void ProbeServer::startRun(const QString &key)
{
    Run &run = m_runs[key];
    const RunMessage &message = run.message;
    PageLoad *load = m_scheduler->submit(QUrl(message.url, QUrl::StrictMode), message.options); // guarded by it
    run.load = load;
    const QString runId = message.runId;
    connect(load, &PageLoad::stateChanged, this, [this, key, runId, load](PageLoad::State state) {
        QString detail;
        if (state == PageLoad::State::Failed) {
            const auto error = runErrorOf(load->result());
            detail = error ? error->message.left(ProtocolLimits::maxDetailLength) : QString();
        }
        sendToOwner(key, StatusMessage { runId, runStateOf(state), detail });
        broadcastLoad();
    });
    // Starts go out in batches, and only to a client that reads them (its hello said so); the batcher goes with
    // the load.
    StartedBatcher *starts = nullptr;
    if (run.owner && run.owner->wantsStarted) {
        starts = new StartedBatcher(load);
        connect(load, &PageLoad::requestStarted, starts,
            [starts](PageLoad::View view, const RequestTiming &request) { starts->add(runViewOf(view), request); });
        // A batch goes out while its step is the load's: every request of a view has ended (and its start been
        // forgotten) when the view ends, and what might still wait then is cleared, never sent as the next step's.
        connect(starts, &StartedBatcher::batchReady, this,
            [this, key, runId, load](RunView view, const QList<RequestTiming> &requests) {
                sendToOwner(key, StartedMessage { runId, view, requests, stepOf(load) });
            });
        connect(load, &PageLoad::viewFinished, starts, &StartedBatcher::clear);
        connect(load, &PageLoad::finished, starts, &StartedBatcher::clear);
    }
    connect(load, &PageLoad::requestFinished, this,
        [this, key, runId, starts, load](PageLoad::View view, const RequestTiming &request) {
            if (starts)
                starts->forget(runViewOf(view), request.id);
            sendToOwner(key, RequestMessage { runId, runViewOf(view), request, stepOf(load) });
        });
    connect(
        load, &PageLoad::viewLoaded, this, [this, key, runId, load](PageLoad::View view, const PageMetrics &metrics) {
            MetricsMessage loaded;
            loaded.runId = runId;
            loaded.view = runViewOf(view);
            loaded.step = stepOf(load);
            loaded.stepName = load->currentStepName();
            loaded.metrics = metrics;
            loaded.provisional = true;
            sendToOwner(key, loaded);
        });
    connect(
        load, &PageLoad::viewFinished, this, [this, key, runId, load](PageLoad::View view, const ViewResult &result) {
            MetricsMessage measured;
            measured.runId = runId;
            measured.view = runViewOf(view);
            measured.step = stepOf(load);
            measured.stepName = load->currentStepName();
            measured.metrics = result.metrics;
            measured.finalUrl = result.finalUrl;
            measured.screenshotPng = result.screenshotPng;
            measured.warnings = result.warnings;
            measured.filmstrip = result.filmstrip;
            measured.longTasks = result.longTasks;
            sendToOwner(key, measured);
        });
    connect(load, &PageLoad::finished, this, [this, key, runId, load] {
        const RunResult &result = load->result();
        DoneMessage done { runId, result.ok(), std::nullopt, result.browserStartMs, result.warnings,
            result.cpuBenchmarkIndex, result.cpuSlowdownRate };
        if (!result.ok())
            done.error = runErrorOf(result);
        load->deleteLater();
        finishRun(key, done);
    });
}

void ProbeServer::finishRun(const QString &key, const DoneMessage &done)
{
    sendToOwner(key, done);
    const auto it = m_runs.find(key);
    if (it != m_runs.end()) {
        if (Session *owner = it->owner)
            owner->runKeys.remove(key);
        m_runs.erase(it);
    }
    broadcastLoad();
    updateIdle();
    pumpRuns();
    if (m_draining && m_runs.isEmpty())
        finishShutdown();
}

void ProbeServer::onCancel(Session *session, const CancelMessage &cancel)
{
    const QString key = QString::number(reinterpret_cast<quintptr>(session)) + u'/' + cancel.runId;
    const auto it = m_runs.find(key);
    // Keys include the connection, so another client's run id simply is not found here.
    if (it == m_runs.end()) {
        sendTo(session,
            ErrorMessage { ProtocolError::unknownRun.toString(),
                QStringLiteral("no run %1 on this connection").arg(cancel.runId), cancel.runId });
        return;
    }
    if (it->load) {
        it->load->cancel(); // its finished() sends done
        return;
    }
    it->cancelled = true;
    finishRun(key,
        DoneMessage { cancel.runId, false, LoadError { LoadError::Kind::Cancelled, QStringLiteral("cancelled") },
            std::nullopt, {}, {}, {} });
}

void ProbeServer::cancelAll(const QString &why)
{
    const QStringList keys = m_runs.keys();
    for (const QString &key : keys) {
        auto it = m_runs.find(key);
        if (it == m_runs.end())
            continue;
        if (it->load) {
            it->load->abort(LoadError { LoadError::Kind::Cancelled, why });
        } else {
            it->cancelled = true;
            finishRun(key,
                DoneMessage { it->message.runId, false, LoadError { LoadError::Kind::Cancelled, why }, std::nullopt, {},
                    {}, {} });
        }
    }
}

void ProbeServer::sendTo(Session *session, const Message &message)
{
    QWebSocket *socket = session->socket;
    if (session->dropping || socket->state() != QAbstractSocket::ConnectedState)
        return;
    // What the client has not taken yet stays in our memory: a client that stops reading is cut off here, and
    // its runs end, rather than holding the probe's memory and its share of the browser.
    const qint64 backlog = socket->bytesToWrite();
    if (backlog == 0)
        session->largestUnsentFrame = 0;
    if (backlog - session->largestUnsentFrame > m_options.maxSendBacklogBytes) {
        qCWarning(lcServer) << "dropping client" << session->peer.toString() << ": it does not read,"
                            << socket->bytesToWrite() << "bytes unsent";
        session->dropping = true;
        // Not here: the caller may be walking the sessions.
        QMetaObject::invokeMethod(socket, &QWebSocket::abort, Qt::QueuedConnection);
        return;
    }
    const QString text = session->codec.encodeText(message);
    // Its size on the wire is at least its length in UTF-16 units, at most thrice that; the length will do.
    session->largestUnsentFrame = std::max<qint64>(session->largestUnsentFrame, text.size());
    socket->sendTextMessage(text);
}

void ProbeServer::sendToOwner(const QString &key, const Message &message)
{
    const auto it = m_runs.constFind(key);
    if (it != m_runs.constEnd() && it->owner)
        sendTo(it->owner, message);
}

void ProbeServer::dropSession(Session *session)
{
    const bool wasGreeted = session->greeted;
    m_sessions.remove(session->socket);
    // Nobody is left to read these runs' results: free their places for others.
    for (const QString &key : std::as_const(session->runKeys)) {
        auto it = m_runs.find(key);
        if (it == m_runs.end())
            continue;
        it->owner = nullptr;
        if (it->load)
            it->load->abort(LoadError { LoadError::Kind::Cancelled, QStringLiteral("the client went away") });
        else
            it->cancelled = true;
    }
    for (const QString &key : std::as_const(session->runKeys)) {
        const auto it = m_runs.constFind(key);
        if (it != m_runs.constEnd() && !it->load)
            m_runs.remove(key);
    }
    session->socket->deleteLater();
    delete session;
    if (wasGreeted)
        emit clientCountChanged(clientCount());
    broadcastLoad();
    updateIdle();
    if (m_draining && m_runs.isEmpty())
        finishShutdown();
}

void ProbeServer::updateIdle()
{
    const bool idle = isIdle();
    // A client that is here may send a run at any moment: have a context ready for it. An idle probe keeps none
    // (a renderer's memory, for nobody), and one shutting down takes no more runs.
    m_scheduler->setKeepContextReady(!idle && !m_draining);
    if (idle == m_idle)
        return;
    m_idle = idle;
    emit idleChanged(idle);
}

void ProbeServer::shutdown(int graceMs)
{
    if (m_draining)
        return;
    m_draining = true;
    m_scheduler->setKeepContextReady(false);
    m_gate->close();
    broadcastLoad(); // capacity 0: the fleet sends nothing more here
    if (m_runs.isEmpty()) {
        finishShutdown();
        return;
    }
    m_drainTimer = new QTimer(this);
    m_drainTimer->setSingleShot(true);
    connect(m_drainTimer, &QTimer::timeout, this, [this] { cancelAll(QStringLiteral("the probe is shutting down")); });
    m_drainTimer->start(graceMs);
}

void ProbeServer::startBrowser()
{
    if (!m_draining)
        m_scheduler->startBrowser();
}

void ProbeServer::finishShutdown()
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_drainTimer)
        m_drainTimer->stop();
    const auto sessions = m_sessions;
    for (Session *session : sessions) {
        session->socket->close(static_cast<QWebSocketProtocol::CloseCode>(ProtocolCloseCode::GoingAway),
            QStringLiteral("the probe is shutting down"));
    }
    ChromeProcess *browser = m_scheduler->browser();
    if (browser->state() == ChromeProcess::State::NotRunning) {
        QMetaObject::invokeMethod(this, &ProbeServer::stopped, Qt::QueuedConnection);
        return;
    }
    connect(browser, &ChromeProcess::stopped, this, &ProbeServer::stopped, Qt::QueuedConnection);
    m_scheduler->shutdown();
}
