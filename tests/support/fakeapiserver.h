#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <memory>

class QTcpServer;
class QTcpSocket;

// A stand-in for a cloud provider's REST API, for tests of the clients of one (the Fly Machines API, a Kubernetes
// API server): a real HTTP/1.1 server on 127.0.0.1, HTTPS when given a certificate, that records every request and
// answers it with JSON through one handler, whatever its path. The handler is where a test follows the service's
// documented API. One request per connection (every answer says Connection: close), which is all an API client
// needs.
class FakeApiServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeApiServer)

public:
    struct Request
    {
        QByteArray method;
        QString path;
        QUrlQuery query;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;

        QJsonObject json() const;
    };

    struct Answer
    {
        enum class Mode {
            Normal,
            Drop, // close the connection without a word
            Hang, // never answer
        };
        int status = 200;
        QJsonObject json; // the body; none when empty
        int delayMs = 0;
        Mode mode = Mode::Normal;
    };

    using Handler = std::function<Answer(const Request &)>;

    explicit FakeApiServer(QObject *parent = nullptr);
    ~FakeApiServer() override;

    // On a port of its own on 127.0.0.1; with TLS when `certificate` is given (with its `key`).
    bool listen(const QSslCertificate &certificate = QSslCertificate(), const QSslKey &key = QSslKey());
    // http(s)://127.0.0.1:port
    QUrl url() const;

    // Answers every request from now on; without one, every answer is a 404.
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    Handler handler() const { return m_handler; }

    // Every request so far, in the order they came.
    const QList<Request> &requests() const { return m_requests; }
    // Those of `method` to exactly `path`.
    QList<Request> requestsFor(const QByteArray &method, const QString &path) const;
    // Those of `method` to `pathPrefix` or below it.
    QList<Request> requestsUnder(const QByteArray &method, const QString &pathPrefix) const;

private:
    void onReadyRead(QTcpSocket *socket);
    void send(QTcpSocket *socket, const Answer &answer);

    std::unique_ptr<QTcpServer> m_server;
    QString m_scheme = QStringLiteral("http");
    Handler m_handler;
    QList<Request> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};
