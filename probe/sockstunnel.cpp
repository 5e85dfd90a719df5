#include "sockstunnel.h"

#include <QTcpSocket>
#include <QtEndian>

#include <algorithm>

namespace {

// RFC 1928's reply codes.
constexpr quint8 succeeded = 0x00;
constexpr quint8 generalFailure = 0x01;
constexpr quint8 notAllowed = 0x02;
constexpr quint8 hostUnreachable = 0x04;
constexpr quint8 connectionRefused = 0x05;
constexpr quint8 commandNotSupported = 0x07;
constexpr quint8 addressTypeNotSupported = 0x08;

constexpr char version = 0x05;

} // namespace

SocksTunnel::SocksTunnel(QTcpSocket *client, Resolve resolve, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_resolve(std::move(resolve))
{
    m_client->setParent(this);
    m_client->setReadBufferSize(maxBufferedBytes);
    connect(m_client, &QTcpSocket::readyRead, this, &SocksTunnel::onClientData);
    connect(m_client, &QTcpSocket::disconnected, this, [this] { onClosed(m_client); });
    connect(m_client, &QTcpSocket::bytesWritten, this, [this] {
        if (m_state == State::Open)
            pump(m_upstream, m_client);
    });
    if (m_client->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &SocksTunnel::onClientData, Qt::QueuedConnection);
}

void SocksTunnel::onClientData()
{
    switch (m_state) {
    case State::Greeting:
        if (!readGreeting())
            return;
        [[fallthrough]];
    case State::Request:
        readRequest();
        return;
    case State::Open:
        pump(m_client, m_upstream);
        return;
    case State::Resolving:
    case State::Connecting:
    case State::Closing:
        return; // the browser waits for our reply before it sends more; anything early waits in the socket
    }
}

// VER, NMETHODS, METHODS: we offer "no authentication" only.
bool SocksTunnel::readGreeting()
{
    m_buffer += m_client->read(257 - m_buffer.size());
    if (m_buffer.size() < 2)
        return false;
    const int methods = quint8(m_buffer[1]);
    if (m_buffer[0] != version) {
        fail(generalFailure);
        return false;
    }
    if (m_buffer.size() < 2 + methods)
        return false;
    const bool noAuth = m_buffer.mid(2, methods).contains('\0');
    const char answer[] = { version, noAuth ? '\0' : char(0xff) };
    m_client->write(answer, sizeof answer);
    if (!noAuth) {
        fail(generalFailure);
        return false;
    }
    m_buffer.remove(0, 2 + methods); // a client that does not wait for our answer may have sent its request
    m_state = State::Request;
    return true;
}

// VER, CMD, RSV, ATYP, DST.ADDR, DST.PORT.
bool SocksTunnel::readRequest()
{
    m_buffer += m_client->read(262 - m_buffer.size());
    if (m_buffer.size() < 5)
        return false;
    if (m_buffer[0] != version)
        return fail(generalFailure), false;
    if (m_buffer[1] != 0x01) // CONNECT only: no BIND, no UDP ASSOCIATE
        return fail(commandNotSupported), false;
    const quint8 type = quint8(m_buffer[3]);
    qsizetype addressEnd = 0;
    if (type == 0x01)
        addressEnd = 4 + 4;
    else if (type == 0x04)
        addressEnd = 4 + 16;
    else if (type == 0x03)
        addressEnd = 5 + quint8(m_buffer[4]);
    else
        return fail(addressTypeNotSupported), false;
    if (m_buffer.size() < addressEnd + 2)
        return false;
    if (type == 0x01) {
        m_host = QHostAddress(qFromBigEndian<quint32>(m_buffer.constData() + 4)).toString();
    } else if (type == 0x04) {
        Q_IPV6ADDR address;
        std::copy_n(m_buffer.constData() + 4, 16, reinterpret_cast<char *>(address.c));
        m_host = QHostAddress(address).toString();
    } else {
        m_host = QString::fromLatin1(m_buffer.mid(5, addressEnd - 5));
    }
    m_port = qFromBigEndian<quint16>(m_buffer.constData() + addressEnd);
    m_target = (m_host.contains(u':') ? u'[' + m_host + u']' : m_host) + u':' + QString::number(m_port);
    m_buffer.remove(0, addressEnd + 2); // what is left is the client's first bytes for the server
    m_state = State::Resolving;
    m_resolve(m_host, m_port, this, [this](const UrlPolicy::Verdict &verdict, const QList<QHostAddress> &addresses) {
        onVerdict(verdict, addresses);
    });
    return true;
}

void SocksTunnel::onVerdict(const UrlPolicy::Verdict &verdict, const QList<QHostAddress> &addresses)
{
    if (m_state != State::Resolving)
        return;
    if (!verdict.allowed || addresses.isEmpty()) {
        emit refused(m_target, verdict.allowed ? QStringLiteral("no address to connect to") : verdict.reason);
        fail(notAllowed);
        return;
    }
    m_addresses = addresses;
    m_state = State::Connecting;
    connectNext();
}

// Each judged address in turn, as a browser tries a name's addresses; never anything the name did not answer.
void SocksTunnel::connectNext()
{
    if (m_upstream) {
        m_upstream->disconnect(this);
        m_upstream->deleteLater();
        m_upstream = nullptr;
    }
    if (m_addresses.isEmpty()) {
        fail(connectionRefused);
        return;
    }
    m_upstream = new QTcpSocket(this);
    m_upstream->setReadBufferSize(maxBufferedBytes);
    connect(m_upstream, &QTcpSocket::connected, this, &SocksTunnel::onUpstreamConnected);
    connect(m_upstream, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (m_state == State::Connecting) {
            if (m_addresses.isEmpty() && error != QAbstractSocket::ConnectionRefusedError)
                fail(hostUnreachable);
            else
                connectNext();
        }
    });
    m_upstream->connectToHost(m_addresses.takeFirst(), m_port);
}

void SocksTunnel::onUpstreamConnected()
{
    m_state = State::Open;
    connect(m_upstream, &QTcpSocket::readyRead, this, [this] { pump(m_upstream, m_client); });
    connect(m_upstream, &QTcpSocket::bytesWritten, this, [this] { pump(m_client, m_upstream); });
    connect(m_upstream, &QTcpSocket::disconnected, this, [this] { onClosed(m_upstream); });
    reply(succeeded);
    m_upstream->write(std::exchange(m_buffer, {}));
    pump(m_client, m_upstream);
}

void SocksTunnel::reply(quint8 code)
{
    // The bound address is of no use to the browser; zeros are what proxies commonly send.
    const char answer[] = { version, char(code), '\0', 0x01, '\0', '\0', '\0', '\0', '\0', '\0' };
    m_client->write(answer, sizeof answer);
}

void SocksTunnel::fail(quint8 code)
{
    if (m_state != State::Greeting)
        reply(code);
    m_state = State::Closing;
    if (m_upstream)
        m_upstream->abort();
    m_client->disconnectFromHost();
    if (m_client->state() == QAbstractSocket::UnconnectedState)
        finish();
}

void SocksTunnel::pump(QTcpSocket *from, QTcpSocket *to)
{
    while (from->bytesAvailable() > 0 && to->bytesToWrite() < maxBufferedBytes)
        to->write(from->read(maxBufferedBytes - to->bytesToWrite()));
}

void SocksTunnel::onClosed(QTcpSocket *gone)
{
    if (m_state != State::Open) {
        // The browser gave up (or the server went) before the tunnel opened.
        m_state = State::Closing;
        if (m_upstream)
            m_upstream->abort();
        m_client->abort();
        finish();
        return;
    }
    // One side is done: hand the other what is left, then close it once written.
    QTcpSocket *other = gone == m_client ? m_upstream : m_client;
    m_state = State::Closing;
    if (gone->bytesAvailable() > 0)
        other->write(gone->readAll());
    other->disconnectFromHost();
    if (other->state() == QAbstractSocket::UnconnectedState)
        finish();
    else
        connect(other, &QTcpSocket::disconnected, this, &SocksTunnel::finish);
}

void SocksTunnel::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished();
    deleteLater();
}
