#include "fakeapiserver.h"

#include <QJsonDocument>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <iterator>

namespace {

// The request line and the headers of a request's head (all before its blank line); no body yet.
FakeApiServer::Request parseHead(const QByteArray &head)
{
    QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.takeFirst().trimmed().split(' ');
    const QUrl target(QString::fromLatin1(requestLine.value(1)));
    FakeApiServer::Request request { requestLine.value(0), target.path(), QUrlQuery(target.query()), {}, {} };
    for (const QByteArray &line : std::as_const(lines)) {
        const QByteArray header = line.trimmed();
        const qsizetype colon = header.indexOf(':');
        if (colon > 0)
            request.headers.insert(header.left(colon).trimmed().toLower(), header.mid(colon + 1).trimmed());
    }
    return request;
}

} // namespace

QJsonObject FakeApiServer::Request::json() const
{
    return QJsonDocument::fromJson(body).object();
}

FakeApiServer::FakeApiServer(QObject *parent)
    : QObject(parent)
{ }

FakeApiServer::~FakeApiServer() = default;

bool FakeApiServer::listen(const QSslCertificate &certificate, const QSslKey &key)
{
    if (!certificate.isNull()) {
        auto server = std::make_unique<QSslServer>();
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificate);
        tls.setPrivateKey(key);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        server->setSslConfiguration(tls);
        m_server = std::move(server);
        m_scheme = QStringLiteral("https");
    } else {
        m_server = std::make_unique<QTcpServer>();
    }
    // Emitted once a connection is ready for use: for TLS, once encrypted, when the request may have come already.
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            onReadyRead(socket);
        }
    });
    return m_server->listen(QHostAddress::LocalHost);
}

QUrl FakeApiServer::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(m_scheme).arg(m_server->serverPort()));
}

QList<FakeApiServer::Request> FakeApiServer::requestsFor(const QByteArray &method, const QString &path) const
{
    QList<Request> found;
    std::copy_if(m_requests.begin(), m_requests.end(), std::back_inserter(found),
        [&](const Request &request) { return request.method == method && request.path == path; });
    return found;
}

QList<FakeApiServer::Request> FakeApiServer::requestsUnder(const QByteArray &method, const QString &pathPrefix) const
{
    QList<Request> found;
    std::copy_if(m_requests.begin(), m_requests.end(), std::back_inserter(found),
        [&](const Request &request) { return request.method == method && request.path.startsWith(pathPrefix); });
    return found;
}

void FakeApiServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    Request request = parseHead(buffer.left(headEnd));
    const qsizetype bodyStart = headEnd + 4;
    const qsizetype length = request.headers.value("content-length", "0").toLongLong();
    if (buffer.size() < bodyStart + length)
        return;
    request.body = buffer.mid(bodyStart, length);
    m_buffers.remove(socket);
    m_requests.append(request);
    const Answer answer = m_handler ? m_handler(request) : Answer { 404, {} };
    QPointer<QTcpSocket> guard(socket);
    QTimer::singleShot(answer.delayMs, this, [this, guard, answer] {
        if (guard)
            send(guard, answer);
    });
}

void FakeApiServer::send(QTcpSocket *socket, const Answer &answer)
{
    if (answer.mode == Answer::Mode::Hang)
        return;
    if (answer.mode == Answer::Mode::Drop) {
        socket->abort();
        return;
    }
    const QByteArray body
        = answer.json.isEmpty() ? QByteArray() : QJsonDocument(answer.json).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(answer.status) + " Answer\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}
