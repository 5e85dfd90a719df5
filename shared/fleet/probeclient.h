#pragma once

#include "protocol/codec.h"
#include "protocol/message.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <optional>
#include <utility>

class QWebSocket;
class QSslError;

// The client end of the probe protocol (shared/protocol/PROTOCOL.md), as the app, the fleet and tests use it:
// one WebSocket to one worldspeed-probe, the auth + hello handshake, runs and their typed results, and an optional
// reconnection with back-off. Everything arrives as signals on the event loop; nothing blocks.
//
// Life of a connection attempt: connectToProbe() → either ready() or failed(reason), and exactly one
// disconnected(code, reason) when it ends (close() included). A probe that sheds the attempt's connection before
// it has authenticated (close 4003, or HTTP 503 before the upgrade) is tried again after the delay it names, on a
// fresh socket within the same attempt and its handshake deadline; none of that is emitted. Every run submitted while
// ready ends with exactly one done(): the probe's own, or one made here (ok = false) when the probe refused the run
// (`busy` and the like), sent a `done` that could not be read, or the connection ended first.
class ProbeClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProbeClient)

public:
    struct Endpoint
    {
        QUrl url; // ws:// or wss://
        QList<std::pair<QByteArray, QByteArray>> headers; // extra handshake headers, e.g. fly-force-instance-id
        QString token; // the probe's shared secret, sent only in the `auth` frame
        // SHA-256 of the probe's DER leaf certificate, as 64 hex digits (':' allowed) or 32 raw bytes; wss only.
        // When set, the pin replaces the CA chain and host name checks: a matching certificate is accepted even
        // when self-signed, any other is refused even when a trusted CA signed it.
        QByteArray pinnedCertificateSha256;
        // ws:// to a host that is not loopback is refused unless this is set: the token would cross the network
        // unencrypted (CleartextPolicy). Set only from the fleet config's "insecurePlaintext".
        bool insecurePlaintext = false;
    };

    struct ReconnectPolicy
    {
        int maxAttempts = 0; // 0 = never reconnect
        std::chrono::milliseconds initialDelay { 500 };
        double multiplier = 2.0;
        std::chrono::milliseconds maxDelay { 30'000 };

        // The wait before reconnection attempt `attempt` (1-based): initialDelay · multiplier^(attempt−1), capped.
        std::chrono::milliseconds delayBefore(int attempt) const;
    };

    enum class State {
        Disconnected, // nothing open and no reconnection planned
        Connecting, // TCP, TLS and the WebSocket upgrade
        Handshaking, // auth and hello sent, waiting for the probe's hello
        Ready, // runs may be submitted
        WaitingToReconnect, // the connection dropped; a reconnection attempt is scheduled
    };

    static constexpr std::chrono::milliseconds defaultHandshakeTimeout { 15'000 };

    explicit ProbeClient(QObject *parent = nullptr);
    // Closes the connection cleanly (1000) without emitting anything; runs in flight get no done().
    ~ProbeClient() override;

    // Opens a connection, closing any current one first (which emits its disconnected()).
    void connectToProbe(const Endpoint &endpoint);
    // A clean close (1000), no reconnection. Emits done() for runs in flight, then disconnected(1000, …).
    void close();

    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    // The probe's hello on the current connection; nullopt unless ready.
    std::optional<HelloMessage> probeHello() const { return m_probeHello; }
    Endpoint endpoint() const { return m_endpoint; }
    QList<QString> runsInFlight() const { return m_runs.keys(); }

    // From connectToProbe() to ready(): TCP, TLS, upgrade and both hellos. Applies to the next attempt.
    void setHandshakeTimeout(std::chrono::milliseconds timeout) { m_handshakeTimeout = timeout; }
    std::chrono::milliseconds handshakeTimeout() const { return m_handshakeTimeout; }
    void setReconnectPolicy(const ReconnectPolicy &policy) { m_reconnectPolicy = policy; }
    // Whether the hello asks for `started` frames (requestsStarted()); yes by default. Applies to the next attempt.
    void setPendingRequests(bool ask) { m_pendingRequests = ask; }
    ReconnectPolicy reconnectPolicy() const { return m_reconnectPolicy; }

    // Sends `run`. False, with *error set, when not ready, the run id is not an identifier or already in flight,
    // or the message would not pass the probe's own checks (URL length, options' ranges and profile).
    bool submit(const QString &runId, const QUrl &url, const LoadOptions &options = {}, QString *error = nullptr);
    // Sends `cancel` for a run in flight; the run still ends with done() (kind cancelled, from the probe).
    bool cancel(const QString &runId, QString *error = nullptr);
    // A fresh random run id that passes ProtocolLimits::isIdentifier (32 hex digits).
    static QString newRunId();

    // Words for a close code a probe uses ("the probe refused the token" for 4001, …).
    static QString closeCodeDescription(int closeCode);

signals:
    void ready(const HelloMessage &probe);
    // A connection attempt ended before ready(); disconnected() follows.
    void failed(const QString &reason);
    void reconnecting(int attempt, std::chrono::milliseconds delay);
    // closeCode is the WebSocket close code the probe sent (or we sent, for close() and our own refusals);
    // 1006 when the connection ended without one (dropped, refused, TLS failure, handshake timeout).
    void disconnected(int closeCode, const QString &reason);

    void status(const QString &runId, RunState state, const QString &detail);
    // `step`: the script's measured step the frame is of (RequestMessage::step), 1 for every run without one. It
    // comes last so that a receiver that shows no steps reads the view where it always has.
    void requestFinished(const QString &runId, RunView view, const RequestTiming &request, int step);
    // Requests that have started and not ended (pending); each one's requestFinished() follows with its id.
    void requestsStarted(const QString &runId, RunView view, const QList<RequestTiming> &requests, int step);
    // The step is the message's (MetricsMessage::step, with its stepName).
    void metrics(const QString &runId, RunView view, const MetricsMessage &metrics);
    void done(const QString &runId, const DoneMessage &done);
    void loadReport(const LoadMessage &load);
    // The probe's `error` frames, and frames from the probe that could not be decoded (code and message from the
    // codec). Neither ends the connection.
    void protocolError(const ErrorMessage &error);

private:
    struct Run
    {
        quint64 sequence = 0; // submission order, for the dones a dropped connection leaves to us
        bool acknowledged = false; // the probe has sent something for it, so it took the run
        bool cancelSent = false;
    };
    // How an attempt ended, decided where it is noticed and reported in one place.
    struct Ending
    {
        int closeCode = 1006;
        QString reason;
        bool permanent = false; // no reconnection: auth refused, no common version, certificate refused
        bool byClose = false; // close() was called
        std::optional<std::chrono::milliseconds> retryAfter {}; // the probe shed the connection: come back after this
    };

    void openSocket();
    void setUpSslChecks(QWebSocket *socket);
    void onSslErrors(QWebSocket *socket, const QList<QSslError> &errors);
    void onConnected();
    void onTextMessage(const QString &text);
    void onHandshakeFrame(const DecodedFrame &frame);
    void onSessionFrame(const DecodedFrame &frame);
    void onProbeError(const ErrorMessage &error);
    void checkSocketEnded(QWebSocket *socket);
    // Opens a fresh socket after `delay` when the attempt's deadline allows; false when it does not.
    bool retryLater(std::chrono::milliseconds delay);
    void endAttempt(Ending ending);
    void retireSocket(int closeCode, const QString &reason);
    void send(const Message &message);
    void startReconnectTimer(int attempt);
    // Emits done() for a run that the probe will not finish itself; false if this object died in a slot.
    bool finishRunLocally(const QString &runId, LoadError::Kind kind, const QString &message);

    Endpoint m_endpoint;
    QByteArray m_pin; // raw 32 bytes, or empty
    ReconnectPolicy m_reconnectPolicy;
    std::chrono::milliseconds m_handshakeTimeout = defaultHandshakeTimeout;
    bool m_pendingRequests = true;
    State m_state = State::Disconnected;
    QWebSocket *m_socket = nullptr; // owned (child); the current attempt's
    FrameCodec m_codec { FrameCodec::screenshotMaxFrameBytes };
    QTimer m_handshakeTimer;
    QTimer m_reconnectTimer;
    QTimer m_retryTimer; // a retry the probe asked for, within the attempt
    int m_reconnectAttempt = 0; // attempts made since the connection last dropped
    bool m_wasReady = false; // since connectToProbe(): only a connection that once worked is reconnected
    quint64 m_generation = 0; // bumped by connectToProbe() and close(), so a slot calling them is noticed
    std::optional<HelloMessage> m_probeHello;
    QHash<QString, Run> m_runs;
    quint64 m_nextRunSequence = 0;
    // What the current socket told us before it ended.
    bool m_connected = false;
    bool m_closeFrameReceived = false;
    bool m_pinVerified = false;
    QString m_socketError;
    QString m_refusal; // set when we refused the peer's certificate
};
