#pragma once

#include "fleet/probeclient.h"
#include "protocol/codec.h"
#include "protocol/message.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QWebSocketServer>

class QWebSocket;

// A scripted worldspeed-probe on 127.0.0.1 (port 0) for pool tests: it accepts `auth` with its token and answers
// the client's hello with its own (probe id, region, capacity) and a `load`; it takes every `run` (answering it
// with status `loading`), and finishes a run only when the test says so, with finishRun(). A `cancel` is answered
// with done (kind cancelled) unless answerCancel is false. Everything it receives is recorded.
class FakeProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeProbe)

public:
    explicit FakeProbe(const QString &probeId, const QString &region, int capacity = 4, QObject *parent = nullptr);
    ~FakeProbe() override;

    bool listen();
    QUrl url() const { return m_server.serverUrl(); }
    ProbeClient::Endpoint endpoint() const;
    QString probeId() const { return m_hello.probeId; }
    QString region() const { return m_hello.region; }

    // Streams the end of a run it holds: one `request` (its URL names the region), `metrics` and `done` (ok, or
    // an http-error). False when it holds no such run.
    bool finishRun(const QString &runId, bool ok = true);
    // Drops every connection without a close frame, like a crashed machine.
    void kill();
    // Stops listening and closes every connection with 1001 (going away), like a stopped machine.
    void shutDown();

    // The script.
    QString token = QStringLiteral("fake-token");
    bool answerHello = true;
    bool answerCancel = true;

    // What happened.
    QStringList runIds() const { return m_runIds; } // every run received, in order
    QStringList openRuns() const; // received and not finished
    bool hasRun(const QString &runId) const { return m_runIds.contains(runId); }
    QStringList cancels() const { return m_cancels; }
    int connectionCount() const { return m_connectionCount; }
    bool isShutDown() const { return m_shutDown; }

signals:
    void runReceived(const QString &runId);
    void cancelReceived(const QString &runId);

private:
    void onNewConnection();
    void onFrame(QWebSocket *socket, const QString &text);
    void send(QWebSocket *socket, const Message &message);

    QWebSocketServer m_server;
    FrameCodec m_codec;
    HelloMessage m_hello;
    QSet<QWebSocket *> m_authenticated;
    QHash<QString, QPointer<QWebSocket>> m_open; // run id → the connection that sent it
    QStringList m_runIds;
    QStringList m_cancels;
    int m_connectionCount = 0;
    bool m_shutDown = false;
};
