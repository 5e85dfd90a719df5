#include "rawwebsocket.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

RawWebSocket::RawWebSocket(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QIODevice::readyRead, this, &RawWebSocket::onReadyRead);
}

bool RawWebSocket::connectTo(const QUrl &url, const QHostAddress &from, int timeoutMs)
{
    m_url = url;
    if (!from.isNull() && !m_socket.bind(from))
        return false;
    m_socket.connectToHost(url.host(), quint16(url.port()));
    QDeadlineTimer deadline(timeoutMs);
    while (m_socket.state() != QAbstractSocket::ConnectedState && !deadline.hasExpired()
        && m_socket.state() != QAbstractSocket::UnconnectedState) {
        QTest::qWait(5);
    }
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void RawWebSocket::sendUpgradeRequest(const QList<QByteArray> &extraHeaderLines)
{
    QByteArray nonce(16, Qt::Uninitialized);
    for (char &c : nonce)
        c = char(QRandomGenerator::global()->bounded(256));
    QByteArray request = "GET / HTTP/1.1\r\nHost: " + m_url.host().toLatin1() + ':' + QByteArray::number(m_url.port())
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + nonce.toBase64() + "\r\n";
    for (const QByteArray &line : extraHeaderLines)
        request += line + "\r\n";
    request += "\r\n";
    m_socket.write(request);
}

int RawWebSocket::upgrade(const QList<QByteArray> &extraHeaderLines, int timeoutMs)
{
    sendUpgradeRequest(extraHeaderLines);
    QDeadlineTimer deadline(timeoutMs);
    while (m_status < 0 && !deadline.hasExpired() && m_socket.state() == QAbstractSocket::ConnectedState)
        QTest::qWait(5);
    return m_status;
}

void RawWebSocket::sendText(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81)); // FIN, text
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else if (payload.size() <= 0xffff) {
        frame.append(char(0x80 | 126));
        frame.append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    char key[4];
    qToBigEndian(mask, key);
    frame.append(key, 4);
    QByteArray masked = payload;
    for (qsizetype i = 0; i < masked.size(); ++i)
        masked[i] = char(masked.at(i) ^ key[i % 4]);
    frame.append(masked);
    m_socket.write(frame);
}

void RawWebSocket::stopReading()
{
    m_reading = false;
    m_socket.setReadBufferSize(1);
}

bool RawWebSocket::waitForDisconnected(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!isDisconnected() && !deadline.hasExpired())
        QTest::qWait(5);
    return isDisconnected();
}

bool RawWebSocket::waitForClose(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_closeCode < 0 && !isDisconnected() && !deadline.hasExpired())
        QTest::qWait(5);
    return m_closeCode >= 0 || isDisconnected();
}

void RawWebSocket::onReadyRead()
{
    if (!m_reading)
        return;
    m_buffer += m_socket.readAll();
    if (m_status < 0) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_head = m_buffer.left(end + 4);
        m_buffer.remove(0, end + 4);
        const QList<QByteArray> statusLine = m_head.left(m_head.indexOf("\r\n")).split(' ');
        m_status = statusLine.size() > 1 ? statusLine.at(1).toInt() : 0;
    }
    if (m_status == 101)
        readFrames();
}

void RawWebSocket::readFrames()
{
    for (;;) {
        if (m_buffer.size() < 2)
            return;
        const int opcode = m_buffer.at(0) & 0x0f;
        quint64 length = quint8(m_buffer.at(1)) & 0x7f;
        qsizetype offset = 2;
        if (length == 126 || length == 127) {
            const int bytes = length == 126 ? 2 : 8;
            if (m_buffer.size() < 2 + bytes)
                return;
            length = 0;
            for (int i = 0; i < bytes; ++i)
                length = (length << 8) | quint8(m_buffer.at(2 + i));
            offset += bytes;
        }
        if (quint64(m_buffer.size() - offset) < length)
            return;
        const QByteArray payload = m_buffer.mid(offset, qsizetype(length));
        m_buffer.remove(0, offset + qsizetype(length));
        if (opcode == 0x1) {
            m_texts.append(payload);
        } else if (opcode == 0x8) {
            m_closeCode = payload.size() >= 2 ? (quint8(payload.at(0)) << 8) | quint8(payload.at(1)) : 1005;
            m_closeReason = payload.mid(2);
        }
    }
}
