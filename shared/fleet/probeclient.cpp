#include "probeclient.h"

#include "certificatepin.h"
#include "model/displayformat.h"
#include "probeclientchecks.h"

#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslError>
#include <QStringList>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcProbeClient, "worldspeed.probeclient", QtWarningMsg)

namespace {

// RFC 6455 §7.4.1: the connection ended without a close frame. Reported, never sent.
constexpr int abnormalClose = 1006;
// How long a socket we closed may wait for the probe's answering close frame before it is dropped.
constexpr std::chrono::milliseconds closeGrace { 3'000 };
// How long to wait when a probe asks us to come back later without saying when, and the bounds of what it may say.
constexpr std::chrono::milliseconds defaultRetryAfter { 1'000 };
constexpr std::chrono::milliseconds minRetryAfter { 100 };
constexpr std::chrono::milliseconds maxRetryAfter { 60'000 };

bool isAuthRefusal(int closeCode)
{
    return closeCode == int(ProtocolCloseCode::Unauthorized) || closeCode == int(ProtocolCloseCode::UnsupportedVersion);
}

// A probe sheds connections that have not authenticated when too many wait: after the upgrade with 4003, before it
// with HTTP 503 (which QWebSocket reports only in its error text).
bool isShedBeforeUpgrade(const QString &socketError)
{
    return socketError.contains(u"status code: 503");
}

QString sslErrorText(const QList<QSslError> &errors)
{
    QStringList texts;
    for (const QSslError &error : errors)
        texts.append(error.errorString());
    texts.removeDuplicates();
    return texts.join(QStringLiteral("; "));
}

} // namespace

std::chrono::milliseconds ProbeClient::ReconnectPolicy::delayBefore(int attempt) const
{
    double ms = double(initialDelay.count()) * std::pow(multiplier, std::max(0, attempt - 1));
    if (!std::isfinite(ms) || ms > double(maxDelay.count()))
        ms = double(maxDelay.count());
    return std::chrono::milliseconds(qint64(std::max(0.0, ms)));
}

ProbeClient::ProbeClient(QObject *parent)
    : QObject(parent)
{
    m_handshakeTimer.setSingleShot(true);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        const QString reason = QStringLiteral("the probe did not complete the handshake within %1")
                                   .arg(DisplayFormat::duration(double(m_handshakeTimeout.count())));
        retireSocket(abnormalClose, {});
        endAttempt({ abnormalClose, reason });
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::WaitingToReconnect)
            openSocket();
    });
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Connecting && !m_socket)
            openSocket();
    });
}

ProbeClient::~ProbeClient()
{
    // Close cleanly but tell nobody: slots must not run against a half-destroyed object.
    m_handshakeTimer.stop();
    m_reconnectTimer.stop();
    m_retryTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        if (m_socket->state() == QAbstractSocket::ConnectedState) {
            m_socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("client closed"));
            // The socket dies with us: hand the close frame to the kernel now rather than on the next loop.
            m_socket->flush();
        } else {
            m_socket->abort();
        }
    }
}

QString ProbeClient::closeCodeDescription(int closeCode)
{
    switch (closeCode) {
    case int(ProtocolCloseCode::Normal):
        return QStringLiteral("the connection was closed normally");
    case int(ProtocolCloseCode::GoingAway):
        return QStringLiteral("the probe is going away");
    case abnormalClose:
        return QStringLiteral("the connection was lost");
    case int(ProtocolCloseCode::InvalidText):
        return QStringLiteral("a message was not valid UTF-8");
    case int(ProtocolCloseCode::FrameTooLarge):
        return QStringLiteral("frame too large");
    case int(ProtocolCloseCode::Unauthorized):
        return QStringLiteral("the probe refused the token");
    case int(ProtocolCloseCode::AuthTimeout):
        return QStringLiteral("authentication timed out");
    case int(ProtocolCloseCode::TryAgainLater):
        return QStringLiteral("the probe asked to be tried again later");
    case int(ProtocolCloseCode::UnsupportedVersion):
        return QStringLiteral("no common protocol version");
    default:
        return QStringLiteral("closed with code %1").arg(closeCode);
    }
}

QString ProbeClient::newRunId()
{
    return QUuid::createUuid().toString(QUuid::Id128);
}

void ProbeClient::connectToProbe(const Endpoint &endpoint)
{
    if (m_state != State::Disconnected)
        close();
    ++m_generation;
    m_endpoint = endpoint;
    m_wasReady = false;
    m_reconnectAttempt = 0;

    m_pin = CertificatePin::parse(endpoint.pinnedCertificateSha256);
    const QString invalid = ProbeClientChecks::endpointProblem(endpoint, m_pin);
    if (!invalid.isEmpty()) {
        // Queued, so a caller that connects its slots after this call still hears of it.
        const quint64 generation = m_generation;
        QTimer::singleShot(0, this, [this, generation, invalid] {
            if (generation == m_generation)
                emit failed(invalid);
        });
        return;
    }
    openSocket();
}

void ProbeClient::close()
{
    ++m_generation;
    m_reconnectTimer.stop();
    if (m_state == State::Disconnected || m_state == State::WaitingToReconnect) {
        // Nothing open: the drop that led here was reported already.
        m_state = State::Disconnected;
        return;
    }
    retireSocket(int(ProtocolCloseCode::Normal), QStringLiteral("client closed"));
    Ending ending;
    ending.closeCode = int(ProtocolCloseCode::Normal);
    ending.reason = QStringLiteral("closed by this client");
    ending.byClose = true;
    endAttempt(ending);
}

void ProbeClient::openSocket()
{
    m_connected = false;
    m_closeFrameReceived = false;
    m_pinVerified = false;
    m_socketError.clear();
    m_refusal.clear();
    m_probeHello.reset();
    m_codec = FrameCodec(FrameCodec::screenshotMaxFrameBytes);
    m_state = State::Connecting;

    // A fresh socket per attempt: nothing a dead connection still emits can reach the next one.
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    // metrics may carry a screenshot (PROTOCOL.md §1); anything larger is closed with 1009 before it is buffered.
    socket->setMaxAllowedIncomingMessageSize(quint64(FrameCodec::screenshotMaxFrameBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(FrameCodec::screenshotMaxFrameBytes));
    connect(socket, &QWebSocket::connected, this, &ProbeClient::onConnected);
    connect(socket, &QWebSocket::textMessageReceived, this, &ProbeClient::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this] {
        const ErrorMessage error { ProtocolError::malformed.toString(), QStringLiteral("binary frames are not used"),
            {} };
        if (m_state == State::Ready)
            send(error);
        emit protocolError(error);
    });
    // Only a close frame from the probe (or our own close(), whose signals are cut before) announces itself.
    connect(socket, &QWebSocket::aboutToClose, this, [this] { m_closeFrameReceived = true; });
    // A refused connection emits disconnected() before error(): decide once both have had their say.
    connect(socket, &QWebSocket::disconnected, this,
        [this, socket] { QTimer::singleShot(0, socket, [this, socket] { checkSocketEnded(socket); }); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this, socket](QAbstractSocket::SocketError) {
            if (m_socketError.isEmpty())
                m_socketError = socket->errorString();
            QTimer::singleShot(0, socket, [this, socket] { checkSocketEnded(socket); });
        });
    if (m_endpoint.url.scheme() == u"wss")
        setUpSslChecks(socket);

    QNetworkRequest request(m_endpoint.url);
    for (const auto &[name, value] : std::as_const(m_endpoint.headers))
        request.setRawHeader(name, value);
    // One deadline for the whole attempt: a retry the probe asked for (retryLater()) does not extend it.
    if (!m_handshakeTimer.isActive())
        m_handshakeTimer.start(m_handshakeTimeout);
    socket->open(request);
}

void ProbeClient::setUpSslChecks(QWebSocket *socket)
{
    if (!m_pin.isEmpty())
        CertificatePin::prepare(socket);
    connect(socket, &QWebSocket::sslErrors, this,
        [this, socket](const QList<QSslError> &errors) { onSslErrors(socket, errors); });
}

void ProbeClient::onSslErrors(QWebSocket *socket, const QList<QSslError> &errors)
{
    if (m_pin.isEmpty()) {
        // Not ignored, so Qt aborts the handshake.
        m_refusal = QStringLiteral("the probe's TLS certificate was not accepted: %1").arg(sslErrorText(errors));
        return;
    }
    m_refusal = CertificatePin::check(socket, m_pin, errors);
    m_pinVerified = m_refusal.isEmpty();
}

void ProbeClient::onConnected()
{
    m_connected = true;
    if (!m_pin.isEmpty() && !m_pinVerified) {
        // Should not happen (see setUpSslChecks), but never send the token to an unchecked peer.
        m_refusal = QStringLiteral("the probe's certificate was not checked against the pin");
        retireSocket(abnormalClose, {});
        Ending ending { abnormalClose, m_refusal, true };
        endAttempt(ending);
        return;
    }
    m_state = State::Handshaking;
    send(AuthMessage { m_endpoint.token });
    HelloMessage hello;
    hello.role = HelloMessage::Role::Client;
    hello.supported = VersionRange::supported();
    hello.software = QStringLiteral("worldspeed");
    hello.version = QStringLiteral(WORLDSPEED_VERSION);
    // Pending requests for the live waterfall: a probe that knows them sends them, an older one ignores this.
    if (m_pendingRequests)
        hello.capabilities = QStringList { HelloMessage::startedCapability.toString() };
    send(hello);
}

void ProbeClient::onTextMessage(const QString &text)
{
    const DecodedFrame frame = m_codec.decode(text);
    if (m_state == State::Handshaking)
        onHandshakeFrame(frame);
    else if (m_state == State::Ready)
        onSessionFrame(frame);
}

void ProbeClient::onHandshakeFrame(const DecodedFrame &frame)
{
    if (!frame.ok()) {
        if (frame.type == HelloMessage::typeName) {
            // The probe has nothing else to say to us until its hello is readable: give up now, not at the deadline.
            const QString reason = QStringLiteral("the probe's hello could not be read: %1").arg(describe(frame.error));
            retireSocket(QWebSocketProtocol::CloseCodeProtocolError, QStringLiteral("invalid hello"));
            endAttempt({ QWebSocketProtocol::CloseCodeProtocolError, reason, true });
            return;
        }
        emit protocolError(ErrorMessage::from(frame.error, frame.runId));
        return;
    }
    const Message &message = *frame.message;
    if (const auto *hello = std::get_if<HelloMessage>(&message); hello && hello->role == HelloMessage::Role::Probe) {
        const VersionRange ours = VersionRange::supported();
        const int chosen = hello->chosen.value_or(0);
        if (!ours.contains(chosen)) {
            const QString reason = QStringLiteral("%1: the probe chose version %2, this client speaks %3 … %4")
                                       .arg(closeCodeDescription(int(ProtocolCloseCode::UnsupportedVersion)))
                                       .arg(chosen)
                                       .arg(ours.min)
                                       .arg(ours.max);
            send(ErrorMessage { ProtocolError::unsupportedVersion.toString(), reason, {} });
            retireSocket(int(ProtocolCloseCode::UnsupportedVersion),
                closeCodeDescription(int(ProtocolCloseCode::UnsupportedVersion)));
            endAttempt({ int(ProtocolCloseCode::UnsupportedVersion), reason, true });
            return;
        }
        m_codec.setNegotiatedVersion(chosen);
        m_handshakeTimer.stop();
        m_state = State::Ready;
        m_wasReady = true;
        m_reconnectAttempt = 0;
        m_probeHello = *hello;
        emit ready(*hello);
        return;
    }
    if (const auto *error = std::get_if<ErrorMessage>(&message)) {
        // unsupported-version comes this way, just before the probe closes with 4004.
        emit protocolError(*error);
        return;
    }
    emit protocolError({ ProtocolError::handshakeRequired.toString(),
        QStringLiteral("the probe sent `%1` before its hello").arg(frame.type), frame.runId });
}

void ProbeClient::onSessionFrame(const DecodedFrame &frame)
{
    if (!frame.ok()) {
        const ErrorMessage error = ErrorMessage::from(frame.error, frame.runId);
        // Answered like the probe answers ours (PROTOCOL.md §3), except an unreadable `error`: two confused peers
        // would otherwise echo each other forever.
        if (frame.type != ErrorMessage::typeName)
            send(error);
        QPointer<ProbeClient> self(this);
        emit protocolError(error);
        if (!self)
            return;
        // The probe considers the run over even if we could not read its `done`.
        if (frame.type == DoneMessage::typeName && m_runs.contains(frame.runId)) {
            finishRunLocally(frame.runId, LoadError::Kind::Other,
                QStringLiteral("the probe's done could not be read: %1").arg(frame.error.message));
        }
        return;
    }
    const Message &message = *frame.message;
    // Frames for runs we do not have (never submitted, or already done) are dropped: after done, nothing.
    const auto knownRun = [this](const QString &runId, QStringView type) {
        const auto it = m_runs.find(runId);
        if (it == m_runs.end()) {
            qCDebug(lcProbeClient) << "dropping" << type << "for run" << runId << "which is not in flight";
            return false;
        }
        it->acknowledged = true;
        return true;
    };
    if (const auto *status = std::get_if<StatusMessage>(&message)) {
        if (knownRun(status->runId, StatusMessage::typeName))
            emit this->status(status->runId, status->state, status->detail);
    } else if (const auto *request = std::get_if<RequestMessage>(&message)) {
        if (knownRun(request->runId, RequestMessage::typeName))
            emit requestFinished(request->runId, request->view, request->request, request->step);
    } else if (const auto *started = std::get_if<StartedMessage>(&message)) {
        if (knownRun(started->runId, StartedMessage::typeName))
            emit requestsStarted(started->runId, started->view, started->requests, started->step);
    } else if (const auto *page = std::get_if<MetricsMessage>(&message)) {
        if (knownRun(page->runId, MetricsMessage::typeName))
            emit metrics(page->runId, page->view, *page);
    } else if (const auto *end = std::get_if<DoneMessage>(&message)) {
        if (knownRun(end->runId, DoneMessage::typeName)) {
            m_runs.remove(end->runId);
            emit done(end->runId, *end);
        }
    } else if (const auto *load = std::get_if<LoadMessage>(&message)) {
        emit loadReport(*load);
    } else if (const auto *error = std::get_if<ErrorMessage>(&message)) {
        onProbeError(*error);
    } else if (std::holds_alternative<HelloMessage>(message)) {
        qCDebug(lcProbeClient) << "ignoring a second hello from the probe";
    } else {
        // auth, run, cancel: the client's own messages have no meaning coming from a probe.
        const ErrorMessage error { ProtocolError::invalidMessage.toString(),
            QStringLiteral("`%1` is sent by clients, not probes").arg(frame.type), frame.runId };
        send(error);
        emit protocolError(error);
    }
}

void ProbeClient::onProbeError(const ErrorMessage &error)
{
    QPointer<ProbeClient> self(this);
    emit protocolError(error);
    if (!self)
        return;
    // The only frames we send that name a run are `run` and `cancel`. An error naming a run the probe has not
    // acknowledged yet, when we sent no cancel for it, answers the `run` (busy, invalid-message, …): the probe
    // did not take it and will never send its done. duplicate-run means the earlier run of that id lives on.
    const auto it = m_runs.constFind(error.runId);
    if (it == m_runs.cend() || it->acknowledged || it->cancelSent || error.code == ProtocolError::duplicateRun
        || error.code == ProtocolError::unknownRun) {
        return;
    }
    finishRunLocally(error.runId, LoadError::Kind::Other,
        QStringLiteral("the probe did not take the run: %1: %2").arg(error.code, error.message));
}

bool ProbeClient::finishRunLocally(const QString &runId, LoadError::Kind kind, const QString &message)
{
    m_runs.remove(runId);
    DoneMessage end;
    end.runId = runId;
    end.ok = false;
    end.error = LoadError { kind, message };
    QPointer<ProbeClient> self(this);
    emit done(runId, end);
    return !self.isNull();
}

void ProbeClient::checkSocketEnded(QWebSocket *socket)
{
    if (socket != m_socket || socket->state() != QAbstractSocket::UnconnectedState)
        return;
    Ending ending;
    if (!m_refusal.isEmpty()) {
        ending = { abnormalClose, m_refusal, true };
    } else if (m_closeFrameReceived) {
        ending.closeCode = socket->closeCode();
        ending.reason = closeCodeDescription(ending.closeCode);
        if (ending.reason.startsWith(u"closed with code") && !socket->closeReason().isEmpty())
            ending.reason += QStringLiteral(": ") + socket->closeReason();
        ending.permanent = isAuthRefusal(ending.closeCode);
        if (ending.closeCode == int(ProtocolCloseCode::TryAgainLater))
            ending.retryAfter = RetryAfter::fromReason(socket->closeReason()).value_or(defaultRetryAfter);
    } else if (!m_connected) {
        ending.reason = QStringLiteral("could not connect to the probe: %1")
                            .arg(m_socketError.isEmpty() ? QStringLiteral("unknown error") : m_socketError);
        if (isShedBeforeUpgrade(m_socketError))
            ending.retryAfter = defaultRetryAfter;
    } else {
        ending.reason = closeCodeDescription(abnormalClose);
        if (!m_socketError.isEmpty())
            ending.reason += QStringLiteral(": ") + m_socketError;
    }
    if (ending.retryAfter && retryLater(*ending.retryAfter))
        return;
    endAttempt(ending);
}

bool ProbeClient::retryLater(std::chrono::milliseconds delay)
{
    // Only a connection that has not authenticated is shed, so only an attempt still connecting is retried here;
    // a drop after ready() goes to the reconnection policy.
    if (m_state != State::Connecting && m_state != State::Handshaking)
        return false;
    delay = std::clamp(delay, minRetryAfter, maxRetryAfter);
    // Clients shed together should not all come back in the same instant.
    delay += std::chrono::milliseconds(QRandomGenerator::global()->bounded(qint64(delay.count() / 4 + 1)));
    if (!m_handshakeTimer.isActive() || m_handshakeTimer.remainingTimeAsDuration() <= delay)
        return false;
    qCInfo(lcProbeClient) << "the probe asked to be tried again later; retrying in" << delay.count() << "ms";
    retireSocket(abnormalClose, {});
    m_state = State::Connecting;
    m_retryTimer.start(delay);
    return true;
}

void ProbeClient::retireSocket(int closeCode, const QString &reason)
{
    QWebSocket *socket = std::exchange(m_socket, nullptr);
    if (!socket)
        return;
    socket->disconnect(this);
    if (socket->state() == QAbstractSocket::ConnectedState && closeCode != abnormalClose) {
        // Let the close handshake finish, but not forever.
        socket->close(QWebSocketProtocol::CloseCode(closeCode), reason);
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(closeGrace, socket, &QObject::deleteLater);
    } else {
        socket->abort();
        socket->deleteLater();
    }
}

void ProbeClient::endAttempt(Ending ending)
{
    retireSocket(abnormalClose, {}); // already gone in most cases; otherwise its connection is cut
    m_handshakeTimer.stop();
    m_retryTimer.stop();
    const bool reachedReady = m_state == State::Ready;
    m_state = State::Disconnected;
    m_probeHello.reset();

    // Every run still open gets its done, in the order it was submitted.
    QList<std::pair<quint64, QString>> orphans;
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it)
        orphans.append({ it->sequence, it.key() });
    std::sort(orphans.begin(), orphans.end());
    m_runs.clear();

    // Decided before anyone hears of the drop, so a slot that calls close() or connectToProbe() has the last word.
    const bool reconnectable = !ending.byClose && !ending.permanent && m_wasReady && m_reconnectPolicy.maxAttempts > 0;
    const bool retry = reconnectable && m_reconnectAttempt < m_reconnectPolicy.maxAttempts;
    if (retry)
        m_state = State::WaitingToReconnect;
    const quint64 generation = m_generation;
    QPointer<ProbeClient> self(this);

    if (!reachedReady && !ending.byClose) {
        QString reason = ending.reason;
        if (reconnectable && !retry)
            reason = QStringLiteral("gave up after %1 reconnection attempts: %2").arg(m_reconnectAttempt).arg(reason);
        emit failed(reason);
        if (!self)
            return;
    }
    const auto kind = ending.byClose ? LoadError::Kind::Cancelled : LoadError::Kind::ConnectionFailed;
    for (const auto &orphan : std::as_const(orphans)) {
        DoneMessage end;
        end.runId = orphan.second;
        end.ok = false;
        end.error = LoadError { kind, QStringLiteral("connection to the probe lost: %1").arg(ending.reason) };
        emit done(end.runId, end);
        if (!self)
            return;
    }
    emit disconnected(ending.closeCode, ending.reason);
    if (!self || !retry || generation != m_generation)
        return;
    ++m_reconnectAttempt;
    const std::chrono::milliseconds delay = std::max(m_reconnectPolicy.delayBefore(m_reconnectAttempt),
        ending.retryAfter.value_or(std::chrono::milliseconds::zero()));
    m_reconnectTimer.start(delay);
    emit reconnecting(m_reconnectAttempt, delay);
}

void ProbeClient::send(const Message &message)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(m_codec.encodeText(message));
}

bool ProbeClient::submit(const QString &runId, const QUrl &url, const LoadOptions &options, QString *error)
{
    const auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (m_state != State::Ready)
        return refuse(QStringLiteral("not connected to a probe"));
    // An id in flight is a valid identifier, so checking this before runProblem()'s checks changes no message.
    if (m_runs.contains(runId))
        return refuse(QStringLiteral("run %1 is already in flight").arg(runId));
    if (const QString why = ProbeClientChecks::runProblem(runId, url, options, m_probeHello); !why.isEmpty())
        return refuse(why);
    const RunMessage run { runId, url.toString(QUrl::FullyEncoded), options };
    m_runs.insert(runId, Run { m_nextRunSequence++ });
    send(run);
    return true;
}

bool ProbeClient::cancel(const QString &runId, QString *error)
{
    const auto it = m_runs.find(runId);
    if (m_state != State::Ready || it == m_runs.end()) {
        if (error)
            *error = QStringLiteral("no run \"%1\" in flight").arg(runId.left(ProtocolLimits::maxIdentifierLength + 1));
        return false;
    }
    it->cancelSent = true;
    send(CancelMessage { runId });
    return true;
}
