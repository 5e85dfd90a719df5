#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QTcpSocket;

// An HTTP/1.1 server of the tests' own on loopback, whose answers have the delays, sizes and failures a test
// asks for. Chrome talks to it like to any site (keep-alive included), so what the probe measures against it
// can be checked against the numbers the test chose.
//
// Besides routes a test registers, every server answers
//   /asset?delay=MS&size=BYTES&type=MIME&status=N&bodydelay=MS&maxage=S&cookie=NAME=VALUE
// with `size` bytes of `type` after `delay` ms (the headers) and `bodydelay` more ms (the body), and records
// a POST to /beacon (pages send Chrome's own timings there).
class TestWebServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestWebServer)

public:
    struct Request
    {
        QByteArray method;
        QByteArray target; // path and query as sent
        QString path;
        QUrlQuery query;
        QHash<QByteArray, QByteArray> headers; // names in lower case
        QByteArray body;
        QString peer; // the client's address, e.g. "127.0.0.1"
    };

    struct Response
    {
        enum class Mode {
            Normal,
            Garbage, // bytes that are not HTTP, then close
            Hang, // read the request, never answer
            Held, // read the request, answer it (as Normal) when the test calls releaseHeld()
            Close, // close the connection without a word
        };
        int status = 200;
        QByteArray contentType = "text/html; charset=utf-8";
        QByteArray body;
        int delayMs = 0; // before the headers
        int bodyDelayMs = 0; // between the headers and the body
        QList<std::pair<QByteArray, QByteArray>> headers;
        Mode mode = Mode::Normal;
    };

    using Handler = std::function<Response(const Request &)>;

    explicit TestWebServer(QObject *parent = nullptr);
    ~TestWebServer() override;

    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const;
    QHostAddress address() const;
    QUrl url(const QString &pathAndQuery = QStringLiteral("/")) const;

    void route(const QString &path, Response response);
    void route(const QString &path, Handler handler);

    QList<Request> requests() const { return m_requests; }
    int hits(const QString &path) const;
    QList<QByteArray> beacons() const { return m_beacons; }
    int connectionCount() const { return m_connections; }
    // Answers every request a Held response is keeping waiting, and holds no more of them until the next.
    void releaseHeld();
    qsizetype heldCount() const { return m_held.size(); }

    static Response asset(const QUrlQuery &query);
    // A page that loads `count` distinct 1x1 GIFs from data: URLs (each with its number in a comment): no load on
    // the server, cheap for the browser, and each one a request of the page's in Chrome's Network events.
    static QByteArray manyImagesPage(int count);
    static QByteArray reasonPhrase(int status);

signals:
    void requestReceived(const TestWebServer::Request &request);
    void beaconReceived(const QByteArray &body);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const Request &request);
    void send(QTcpSocket *socket, const Request &request, const Response &response);

    QTcpServer m_server;
    QHash<QString, Handler> m_routes;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
    QList<QByteArray> m_beacons;
    int m_connections = 0;
    struct Held
    {
        QPointer<QTcpSocket> socket;
        Request request;
        Response response;
    };
    QList<Held> m_held;
};
