#include "testwebserver.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <utility>

namespace {
constexpr qsizetype maxHeaderBytes = 64 * 1024;
constexpr qsizetype maxBodyBytes = 16 * 1024 * 1024;

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xffffffffU;
    for (const char byte : data) {
        crc ^= static_cast<quint8>(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
    }
    return ~crc;
}

QByteArray bigEndian(quint32 value)
{
    const char bytes[] = { static_cast<char>(value >> 24), static_cast<char>(value >> 16),
        static_cast<char>(value >> 8), static_cast<char>(value) };
    return QByteArray(bytes, sizeof bytes);
}

// A real 1x1 PNG grown to `size` bytes with a text chunk, so Chrome decodes it and reads every byte. Bytes that
// are not an image make Chrome give up on the download early, which would test the image decoder, not timing.
QByteArray pngOfSize(int size)
{
    const QByteArray pixel = QByteArray::fromBase64(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");
    constexpr int headerEnd = 8 + 25; // signature + IHDR chunk
    constexpr int chunkOverhead = 12; // length, type, CRC
    const int padding = size - static_cast<int>(pixel.size()) - chunkOverhead;
    if (padding < 0)
        return pixel;
    const QByteArray typeAndData = "tEXt" + QByteArray("pad") + '\0' + QByteArray(std::max(0, padding - 4), 'p');
    const QByteArray chunk
        = bigEndian(static_cast<quint32>(typeAndData.size() - 4)) + typeAndData + bigEndian(crc32(typeAndData));
    return pixel.left(headerEnd) + chunk + pixel.mid(headerEnd);
}
} // namespace

TestWebServer::TestWebServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TestWebServer::onNewConnection);
}

TestWebServer::~TestWebServer() = default;

bool TestWebServer::listen(const QHostAddress &address, quint16 port)
{
    return m_server.listen(address, port);
}

quint16 TestWebServer::port() const
{
    return m_server.serverPort();
}

QHostAddress TestWebServer::address() const
{
    return m_server.serverAddress();
}

QUrl TestWebServer::url(const QString &pathAndQuery) const
{
    const QHostAddress host = m_server.serverAddress();
    const QString hostText
        = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + host.toString() + u']' : host.toString();
    return QUrl(QStringLiteral("http://%1:%2%3").arg(hostText).arg(port()).arg(pathAndQuery));
}

void TestWebServer::route(const QString &path, Response response)
{
    m_routes.insert(path, [response](const Request &) { return response; });
}

void TestWebServer::route(const QString &path, Handler handler)
{
    m_routes.insert(path, std::move(handler));
}

int TestWebServer::hits(const QString &path) const
{
    int count = 0;
    for (const Request &request : m_requests)
        count += request.path == path ? 1 : 0;
    return count;
}

QByteArray TestWebServer::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray TestWebServer::manyImagesPage(int count)
{
    return QByteArray(R"(<!doctype html><p>many images</p><script>
const head = 'GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff';
const tail = '\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b';
for (let i = 0; i < )")
        + QByteArray::number(count) + R"(; i++) {
  const n = String(i);
  new Image().src = 'data:image/gif;base64,' + btoa(head + '\x21\xfe' + String.fromCharCode(n.length) + n + '\x00' + tail);
}
</script>)";
}

TestWebServer::Response TestWebServer::asset(const QUrlQuery &query)
{
    Response response;
    const auto number = [&](const char *key, int fallback) {
        bool ok = false;
        const int value = query.queryItemValue(QString::fromLatin1(key)).toInt(&ok);
        return ok ? value : fallback;
    };
    response.delayMs = number("delay", 0);
    response.bodyDelayMs = number("bodydelay", 0);
    response.status = number("status", 200);
    const QString type = query.queryItemValue(QStringLiteral("type"));
    if (type == u"css")
        response.contentType = "text/css";
    else if (type == u"js")
        response.contentType = "text/javascript";
    else if (type == u"png" || type == u"image")
        response.contentType = "image/png";
    else if (!type.isEmpty())
        response.contentType = type.toLatin1();
    const int size = std::clamp(number("size", 100), 0, static_cast<int>(maxBodyBytes));
    if (response.contentType == "text/css")
        response.body = "/* " + QByteArray(std::max(0, size - 6), 'c') + " */";
    else if (response.contentType == "text/javascript")
        response.body = "//" + QByteArray(std::max(0, size - 2), 'j');
    else if (response.contentType == "image/png")
        response.body = pngOfSize(size);
    else
        response.body = QByteArray(size, 'x');
    response.body.truncate(size);
    const int maxAge = number("maxage", -1);
    response.headers.append({ "Cache-Control",
        maxAge >= 0 ? QByteArray("max-age=" + QByteArray::number(maxAge)) : QByteArray("no-store") });
    const QString cookie = query.queryItemValue(QStringLiteral("cookie"));
    if (!cookie.isEmpty())
        response.headers.append({ "Set-Cookie", QByteArray(cookie.toLatin1() + "; Path=/; Max-Age=3600") });
    return response;
}

void TestWebServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        socket->setParent(this);
        m_buffers.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void TestWebServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    // Chrome sends one request at a time per connection (no pipelining), but be correct if it ever does.
    for (;;) {
        // Like a real server, answer what is not HTTP (a TLS ClientHello, say) with 400 and hang up.
        const qsizetype space = buffer.indexOf(' ');
        const QByteArray method = buffer.left(space < 0 ? std::min<qsizetype>(buffer.size(), 8) : space);
        const bool looksLikeHttp = std::all_of(method.begin(), method.end(), [](char c) {
            return c >= 'A' && c <= 'Z';
        }) && method.size() <= 7;
        if (!buffer.isEmpty() && !looksLikeHttp) {
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            buffer.clear();
            return;
        }
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            if (buffer.size() > maxHeaderBytes)
                socket->abort();
            return;
        }
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        if (requestLine.size() < 3) {
            socket->abort();
            return;
        }
        Request request;
        QHostAddress peer = socket->peerAddress();
        if (bool mapped = false; peer.toIPv4Address(&mapped) && mapped)
            peer = QHostAddress(peer.toIPv4Address()); // a dual-stack listener reports ::ffff:a.b.c.d
        request.peer = peer.toString();
        request.method = requestLine.at(0);
        request.target = requestLine.at(1);
        const QUrl url(QString::fromLatin1(request.target));
        request.path = url.path();
        request.query = QUrlQuery(url.query());
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length", "0").toLongLong();
        if (length < 0 || length > maxBodyBytes) {
            socket->abort();
            return;
        }
        if (buffer.size() < headerEnd + 4 + length)
            return;
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, headerEnd + 4 + length);
        answer(socket, request);
    }
}

void TestWebServer::answer(QTcpSocket *socket, const Request &request)
{
    m_requests.append(request);
    emit requestReceived(request);
    Response response;
    if (request.path == u"/beacon") {
        m_beacons.append(request.body);
        emit beaconReceived(request.body);
        response.status = 204;
        response.contentType.clear();
    } else if (const auto it = m_routes.constFind(request.path); it != m_routes.constEnd()) {
        response = (*it)(request);
    } else if (request.path == u"/asset") {
        response = asset(request.query);
    } else {
        response.status = 404;
        response.body = "not found";
        response.contentType = "text/plain";
    }

    QPointer<QTcpSocket> guard(socket);
    // Precise timers: a coarse one may fire up to 5 % early, and a test asserting "load ≥ the delay" would be
    // checking Qt's timer slack instead of the probe.
    if (response.delayMs <= 0) {
        send(socket, request, response);
        return;
    }
    QTimer::singleShot(response.delayMs, Qt::PreciseTimer, this, [this, guard, request, response] {
        if (guard)
            send(guard, request, response);
    });
}

void TestWebServer::releaseHeld()
{
    const QList<Held> held = std::exchange(m_held, {});
    for (Held waiting : held) {
        if (!waiting.socket)
            continue; // the client gave up meanwhile
        waiting.response.mode = Response::Mode::Normal;
        send(waiting.socket, waiting.request, waiting.response);
    }
}

void TestWebServer::send(QTcpSocket *socket, const Request &request, const Response &response)
{
    switch (response.mode) {
    case Response::Mode::Hang:
        return;
    case Response::Mode::Held:
        m_held.append(Held { socket, request, response });
        return;
    case Response::Mode::Close:
        socket->abort();
        return;
    case Response::Mode::Garbage: {
        // The NUL inside must be sent too, so the length comes from the literal itself (less its own terminator).
        static constexpr char garbage[] = "\x01\x02\xff\xfe garbage, not HTTP \x00\x7f\r\n\r\n";
        socket->write(garbage, sizeof garbage - 1);
        socket->disconnectFromHost();
        return;
    }
    case Response::Mode::Normal:
        break;
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    if (!response.contentType.isEmpty())
        head += "Content-Type: " + response.contentType + "\r\n";
    const bool noBody = response.status == 204 || response.status == 304 || request.method == "HEAD";
    head += "Content-Length: " + QByteArray::number(noBody ? 0 : response.body.size()) + "\r\n";
    for (const auto &[name, value] : response.headers)
        head += name + ": " + value + "\r\n";
    const bool close = request.headers.value("connection").toLower() == "close";
    head += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
    socket->write(head);
    const QByteArray body = noBody ? QByteArray() : response.body;
    const auto finish = [socket, body, close] {
        socket->write(body);
        if (close)
            socket->disconnectFromHost();
    };
    if (response.bodyDelayMs <= 0) {
        finish();
        return;
    }
    QPointer<QTcpSocket> guard(socket);
    QTimer::singleShot(response.bodyDelayMs, Qt::PreciseTimer, this, [guard, finish] {
        if (guard)
            finish();
    });
}
