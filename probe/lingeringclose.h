#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

class QTcpSocket;

// Lets a connection we close end with the close frame read, not a reset. A socket closed with bytes still unread
// (the rest of an oversized frame the WebSocket layer refused at its header) makes the kernel answer with a TCP
// reset instead of a FIN, and a client still sending sees "connection reset" (1006) instead of our close frame
// and its code (1009). So a duplicate of the socket's descriptor is kept: when Qt closes the socket, the
// duplicate shuts down our sending side (the close frame, then FIN) and reads and discards what the peer still
// sends, until it closes too, or maxDrainBytes, or drainMs have passed.
class LingeringClose final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LingeringClose)

public:
    static constexpr int drainMs = 2'000;
    static constexpr qint64 maxDrainBytes = 64 * 1024 * 1024;

    // Watches `socket` from now on; it deletes itself when done. Does nothing where descriptors cannot be shared.
    static void watch(QTcpSocket *socket);

    ~LingeringClose() override;

private:
    explicit LingeringClose(int descriptor);
    void begin();
    void drain();
    void finish();

    int m_descriptor = -1;
    bool m_draining = false;
    qint64 m_drained = 0;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_deadline;
};
