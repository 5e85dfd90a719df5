#include "protocolpeer.h"

#include <QSignalSpy>
#include <QTest>

ProtocolPeer::ProtocolPeer(QObject *parent)
    : QObject(parent)
{
    m_socket.setMaxAllowedIncomingMessageSize(FrameCodec::screenshotMaxFrameBytes);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const DecodedFrame frame = m_codec.decode(text);
        if (frame.ok())
            m_received.append(Received { *frame.message, m_clock.elapsed() });
        else
            qWarning("ProtocolPeer: undecodable frame from the probe: %s", qPrintable(describe(frame)));
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closed = true;
        m_closeCode = m_socket.closeCode();
        m_closeReason = m_socket.closeReason();
    });
}

bool ProtocolPeer::open(const QUrl &url, int timeoutMs)
{
    m_clock.start();
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(timeoutMs);
}

bool ProtocolPeer::handshake(const QByteArray &token, int timeoutMs, const QStringList &capabilities)
{
    send(AuthMessage { QString::fromUtf8(token) });
    HelloMessage hello;
    hello.software = QStringLiteral("tests");
    hello.version = QStringLiteral("0");
    hello.capabilities = capabilities;
    send(hello);
    const bool ok = waitFor([](const Message &m) { return std::holds_alternative<HelloMessage>(m); }, timeoutMs);
    if (ok) {
        for (const Received &r : std::as_const(m_received)) {
            if (const auto *probe = as<HelloMessage>(r.message); probe && probe->chosen)
                m_codec.setNegotiatedVersion(*probe->chosen);
        }
    }
    return ok;
}

void ProtocolPeer::send(const Message &message)
{
    m_socket.sendTextMessage(m_codec.encodeText(message));
}

void ProtocolPeer::sendRaw(const QString &text)
{
    m_socket.sendTextMessage(text);
}

bool ProtocolPeer::waitFor(const std::function<bool(const Message &)> &match, int timeoutMs)
{
    qsizetype checked = 0;
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        for (; checked < m_received.size(); ++checked) {
            if (match(m_received.at(checked).message))
                return true;
        }
        if (m_closed || deadline.hasExpired())
            return false;
        QTest::qWait(10);
    }
}

bool ProtocolPeer::waitForDone(const QString &runId, int timeoutMs)
{
    return waitFor(
        [&](const Message &m) {
            const auto *done = as<DoneMessage>(m);
            return done && done->runId == runId;
        },
        timeoutMs);
}

bool ProtocolPeer::waitForClose(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!m_closed && !deadline.hasExpired())
        QTest::qWait(10);
    return m_closed;
}

QList<Message> ProtocolPeer::forRun(const QString &runId) const
{
    QList<Message> messages;
    for (const Received &r : m_received) {
        if (runIdOf(r.message) == runId)
            messages.append(r.message);
    }
    return messages;
}

QString runIdOf(const Message &message)
{
    return std::visit(
        [](const auto &m) -> QString {
            if constexpr (requires { m.runId; })
                return m.runId;
            else
                return {};
        },
        message);
}
