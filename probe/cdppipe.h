#pragma once

#include "nulframedreader.h"

#include <QByteArray>
#include <QObject>
#include <QSocketNotifier>

#include <optional>

// One end of a DevTools pipe: Chrome started with --remote-debugging-pipe reads commands from its file descriptor 3
// and writes replies and events to its descriptor 4, each message a JSON text ended by a NUL byte. Nothing listens
// on a port, so only the process holding the other end can drive the browser.
//
// createChannels() makes both channels as Unix stream socket pairs (a socket, unlike a pipe, can be written
// without risking SIGPIPE, and Chrome reads and writes them like pipes); placeInChild() puts the child's ends on
// 3 and 4 between fork and exec. A CdpPipe then owns the parent's two ends: it reads without blocking as data
// arrives, and buffers what it sends until the socket takes it. Either side may use it: the probe for its browser,
// a test for a fake browser on the child's ends.
//
// Unix only: Windows has no descriptors 3 and 4 to hand a child (ChromeProcess uses DevTools' port there).
class CdpPipe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CdpPipe)

public:
    static constexpr int childReadFd = 3; // where Chrome reads commands
    static constexpr int childWriteFd = 4; // where Chrome writes replies and events

    // The four descriptors of the two channels, all close-on-exec.
    struct Channels
    {
        int ourRead = -1; // replies and events, from the child's descriptor 4
        int ourWrite = -1; // commands, to the child's descriptor 3
        int childRead = -1; // becomes the child's descriptor 3
        int childWrite = -1; // becomes the child's descriptor 4
    };

    // Both channels, or nothing with the system's reason in `error`.
    static std::optional<Channels> createChannels(QString *error);
    // For QProcess::setChildProcessModifier: runs in the child between fork and exec, so it makes only
    // async-signal-safe calls. Puts the child's ends on descriptors 3 and 4 (inherited by exec) and closes the
    // parent's ends. False if a descriptor could not be placed.
    static bool placeInChild(const Channels &channels) noexcept;
    // Closes `fd` if it is open and marks it closed.
    static void closeDescriptor(int &fd) noexcept;

    // Takes both descriptors (stream sockets from createChannels()) and makes them non-blocking. A message longer
    // than `maxMessageBytes` ends the pipe as a protocol error.
    CdpPipe(int readFd, int writeFd, qsizetype maxMessageBytes, QObject *parent = nullptr);
    ~CdpPipe() override;

    bool isOpen() const { return m_readFd >= 0; }
    // Queues one message (which must not contain a NUL byte); it goes out when the event loop next runs.
    void send(const QByteArray &message);
    // Pushes what is queued now, waiting up to `timeoutMs` for room, for shutdown paths that will not return to
    // the event loop. True if everything went out. A failure is left for the event loop to report.
    bool flush(int timeoutMs);
    // Closes both descriptors without emitting closed(); what was still queued is dropped.
    void close();
    qsizetype bytesToWrite() const { return m_outgoing.size() - m_written; }
    // Reads and delivers everything the browser has already written, now, not at the next wake-up. A busy event
    // loop reads its bounded share per wake-up, so an answer can sit unread past its command's deadline.
    void readBacklog();

signals:
    void messageReceived(const QByteArray &message);
    // The other end is gone (end of stream, a read or write error) or sent a message over the cap; both
    // descriptors are closed by then. Not emitted after close().
    void closed(const QString &reason);

private:
    // Reads at most `rounds` chunks (one wake-up's share), stopping early when nothing more is waiting.
    void onReadable(int rounds);
    void onWritable();
    // Writes until done or the socket is full; false on an error, with its text in `error`.
    bool writeQueued(QString *error);
    void fail(const QString &reason);

    int m_readFd;
    int m_writeFd;
    QSocketNotifier m_readNotifier;
    QSocketNotifier m_writeNotifier;
    NulFramedReader m_reader;
    QByteArray m_outgoing;
    qsizetype m_written = 0;
};
