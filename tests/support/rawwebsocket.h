#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpSocket>
#include <QUrl>

// A WebSocket client written by hand on a QTcpSocket, for tests that must do what QWebSocket never would: send an
// Origin header or an oversized upgrade request, send text that is not UTF-8, stay silent before or after the
// upgrade, or stop reading altogether. It speaks just enough of RFC 6455: the upgrade, masked frames out, and
// frames in (text and close) until the connection ends.
class RawWebSocket final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RawWebSocket)

public:
    explicit RawWebSocket(QObject *parent = nullptr);

    // TCP only. `from` picks the source address: on Linux every 127.x.y.z is this machine, so a test can be many
    // clients at once.
    bool connectTo(const QUrl &url, const QHostAddress &from = {}, int timeoutMs = 10'000);
    // Sends the upgrade request (with extra header lines, each without its CRLF) and waits for the answer's
    // status; 101 means upgraded, -1 that none came.
    int upgrade(const QList<QByteArray> &extraHeaderLines = {}, int timeoutMs = 10'000);
    void sendUpgradeRequest(const QList<QByteArray> &extraHeaderLines = {});
    // One masked text frame with these bytes as its payload, whether or not they are UTF-8.
    void sendText(const QByteArray &payload);
    // Stops taking bytes from the kernel: the peer's writes back up behind a full receive window.
    void stopReading();

    bool waitForDisconnected(int timeoutMs);
    // Waits for a close frame, or the end of the connection.
    bool waitForClose(int timeoutMs);
    bool isDisconnected() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    int closeCode() const { return m_closeCode; } // -1 until a close frame came
    QByteArray closeReason() const { return m_closeReason; }
    QList<QByteArray> texts() const { return m_texts; }
    int responseStatus() const { return m_status; }
    QByteArray responseHead() const { return m_head; }
    QTcpSocket &socket() { return m_socket; }

private:
    void onReadyRead();
    void readFrames();

    QTcpSocket m_socket;
    QUrl m_url;
    QByteArray m_buffer;
    QByteArray m_head;
    int m_status = -1;
    bool m_reading = true;
    int m_closeCode = -1;
    QByteArray m_closeReason;
    QList<QByteArray> m_texts;
};
