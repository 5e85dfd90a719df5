#pragma once

#include "protocol/codec.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

#include <functional>

// A bare protocol v1 client for tests: sends exactly the frames a test writes (valid or not) and records every
// frame it receives with the time it arrived, so tests can check order, liveness and close codes.
class ProtocolPeer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProtocolPeer)

public:
    struct Received
    {
        Message message;
        qint64 atMs = 0; // since open()
    };

    explicit ProtocolPeer(QObject *parent = nullptr);

    bool open(const QUrl &url, int timeoutMs = 10'000);
    // auth + client hello, then waits for the probe's hello.
    // `capabilities`: what the client's hello says it reads beyond v1 (e.g. "started").
    bool handshake(const QByteArray &token, int timeoutMs = 10'000, const QStringList &capabilities = {});
    void send(const Message &message);
    void sendRaw(const QString &text);

    // Waits until a received frame satisfies `match`, or the socket closes, or the time is up.
    bool waitFor(const std::function<bool(const Message &)> &match, int timeoutMs);
    bool waitForDone(const QString &runId, int timeoutMs);
    bool waitForClose(int timeoutMs);

    const QList<Received> &received() const { return m_received; }
    QList<Message> forRun(const QString &runId) const;
    bool isClosed() const { return m_closed; }
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    QWebSocket &socket() { return m_socket; }

private:
    QWebSocket m_socket;
    FrameCodec m_codec { FrameCodec::screenshotMaxFrameBytes };
    QList<Received> m_received;
    QElapsedTimer m_clock;
    bool m_closed = false;
    int m_closeCode = -1;
    QString m_closeReason;
};

QString runIdOf(const Message &message);

template<typename T> const T *as(const Message &message)
{
    return std::get_if<T>(&message);
}
