#pragma once

#include "urlpolicy.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>

#include <functional>

class QTcpSocket;

// One connection of the browser through the EgressProxy: a SOCKS 5 CONNECT (RFC 1928, no authentication) for one
// host and port, judged before anything is sent, then the bytes both ways. The browser names the host and the
// tunnel connects only to the addresses that name was judged by, so what was checked is what is reached. Each
// side reads at most maxBufferedBytes ahead of the other, so a fast server cannot fill the probe's memory.
class SocksTunnel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocksTunnel)

public:
    static constexpr qint64 maxBufferedBytes = 256 * 1024;

    // The verdict on a host and port and, when allowed, the addresses it may be reached at.
    using Resolve = std::function<void(const QString &host, quint16 port, QObject *context,
        std::function<void(const UrlPolicy::Verdict &, const QList<QHostAddress> &)> done)>;

    // Takes the client socket over.
    SocksTunnel(QTcpSocket *client, Resolve resolve, QObject *parent = nullptr);

    QString target() const { return m_target; } // "host:port", once the browser said it

signals:
    void refused(const QString &target, const QString &reason);
    void finished(); // both sides closed; the tunnel deletes itself later

private:
    enum class State { Greeting, Request, Resolving, Connecting, Open, Closing };

    void onClientData();
    bool readGreeting();
    bool readRequest();
    void onVerdict(const UrlPolicy::Verdict &verdict, const QList<QHostAddress> &addresses);
    void connectNext();
    void onUpstreamConnected();
    void reply(quint8 code);
    void fail(quint8 code);
    void pump(QTcpSocket *from, QTcpSocket *to);
    void onClosed(QTcpSocket *gone);
    void finish();

    QTcpSocket *m_client;
    QTcpSocket *m_upstream = nullptr;
    Resolve m_resolve;
    State m_state = State::Greeting;
    QByteArray m_buffer;
    QString m_host;
    quint16 m_port = 0;
    QString m_target;
    QList<QHostAddress> m_addresses;
    bool m_finished = false;
};
