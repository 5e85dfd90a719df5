#include "cdppipe.h"

#include <QDeadlineTimer>
#include <QPointer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// One read's worth; a wake-up reads at most readRounds of these, so a browser streaming events cannot keep the
// rest of the event loop (other clients, timers) waiting.
constexpr qsizetype readChunkBytes = 64 * 1024;
constexpr int readRounds = 16;
// Sent bytes are dropped from the front of the queue only once this many have gone out, not after every write.
constexpr qsizetype compactAfterBytes = 1024 * 1024;

QString systemError(const char *what, int error)
{
    return QStringLiteral("%1: %2").arg(QLatin1StringView(what), QString::fromLocal8Bit(std::strerror(error)));
}

bool makeSocketPair(int fds[2])
{
#ifdef SOCK_CLOEXEC
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return false;
#else
    // Without SOCK_CLOEXEC (macOS) a fork in another thread could inherit these before the flag is set; the probe
    // starts its processes from one thread.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return false;
    for (int i = 0; i < 2; ++i)
        ::fcntl(fds[i], F_SETFD, FD_CLOEXEC);
#endif
#ifdef SO_NOSIGPIPE
    // Where send() has no MSG_NOSIGNAL, the socket itself is told not to raise SIGPIPE.
    const int on = 1;
    for (int i = 0; i < 2; ++i)
        ::setsockopt(fds[i], SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    return true;
}

ssize_t sendNoSignal(int fd, const char *data, size_t size)
{
#ifdef MSG_NOSIGNAL
    // A browser that died must not take the probe with it through SIGPIPE.
    return ::send(fd, data, size, MSG_NOSIGNAL);
#else
    return ::send(fd, data, size, 0);
#endif
}

void setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

} // namespace

std::optional<CdpPipe::Channels> CdpPipe::createChannels(QString *error)
{
    int commands[2] = { -1, -1 };
    int events[2] = { -1, -1 };
    if (!makeSocketPair(commands) || !makeSocketPair(events)) {
        if (error)
            *error = systemError("cannot create the DevTools pipe", errno);
        for (int fd : { commands[0], commands[1], events[0], events[1] })
            closeDescriptor(fd);
        return std::nullopt;
    }
    return Channels { events[0], commands[0], commands[1], events[1] };
}

bool CdpPipe::placeInChild(const Channels &channels) noexcept
{
    // Lift both of the child's ends above 4 first, so that placing one never overwrites the other (either may sit
    // on 3 or 4 now). The lifted copies are close-on-exec; the dup2()'d 3 and 4 are not, so exec keeps exactly those.
    const int read = ::fcntl(channels.childRead, F_DUPFD_CLOEXEC, childWriteFd + 1);
    const int write = ::fcntl(channels.childWrite, F_DUPFD_CLOEXEC, childWriteFd + 1);
    if (read < 0 || write < 0)
        return false;
    // The parent's ends are close-on-exec already; closing them here too keeps them out of anything the child
    // might fork before its exec.
    ::close(channels.ourRead);
    ::close(channels.ourWrite);
    return ::dup2(read, childReadFd) == childReadFd && ::dup2(write, childWriteFd) == childWriteFd;
}

void CdpPipe::closeDescriptor(int &fd) noexcept
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

CdpPipe::CdpPipe(int readFd, int writeFd, qsizetype maxMessageBytes, QObject *parent)
    : QObject(parent)
    , m_readFd(readFd)
    , m_writeFd(writeFd)
    , m_readNotifier(readFd, QSocketNotifier::Read)
    , m_writeNotifier(writeFd, QSocketNotifier::Write)
    , m_reader(maxMessageBytes)
{
    setNonBlocking(m_readFd);
    setNonBlocking(m_writeFd);
    // Written only when something is queued and the socket was full, or on the next pass of the event loop.
    m_writeNotifier.setEnabled(false);
    connect(&m_readNotifier, &QSocketNotifier::activated, this, [this] { onReadable(readRounds); });
    connect(&m_writeNotifier, &QSocketNotifier::activated, this, &CdpPipe::onWritable);
}

CdpPipe::~CdpPipe()
{
    close();
}

void CdpPipe::send(const QByteArray &message)
{
    if (!isOpen())
        return;
    Q_ASSERT(!message.contains('\0'));
    m_outgoing.append(message).append('\0');
    // Not written here: a write error found inside send() would report the end to callers still in the middle of
    // sending. The notifier fires on the next pass of the event loop, and several sends go out in one write.
    m_writeNotifier.setEnabled(true);
}

bool CdpPipe::flush(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (isOpen() && bytesToWrite() > 0) {
        QString error;
        if (!writeQueued(&error))
            return false; // onWritable() meets the same error and reports it
        if (bytesToWrite() == 0)
            break;
        pollfd room { m_writeFd, POLLOUT, 0 };
        const int waitMs = static_cast<int>(std::min<qint64>(deadline.remainingTime(), 100));
        if (deadline.hasExpired() || (::poll(&room, 1, waitMs) < 0 && errno != EINTR))
            return false;
    }
    return isOpen() && bytesToWrite() == 0;
}

void CdpPipe::close()
{
    // Notifiers off before their descriptors close: the event loop must never poll a closed (or reused) number.
    m_readNotifier.setEnabled(false);
    m_writeNotifier.setEnabled(false);
    closeDescriptor(m_readFd);
    closeDescriptor(m_writeFd);
    m_outgoing.clear();
    m_written = 0;
}

void CdpPipe::fail(const QString &reason)
{
    close();
    emit closed(reason);
}

void CdpPipe::readBacklog()
{
    // Bounded all the same (4096 chunks, 256 MiB): a browser that writes without end cannot hold us here.
    constexpr int backlogRounds = 4096;
    if (isOpen())
        onReadable(backlogRounds);
}

void CdpPipe::onReadable(int rounds)
{
    const QPointer<CdpPipe> self(this);
    char buffer[readChunkBytes];
    for (int round = 0; round < rounds; ++round) {
        const ssize_t got = ::read(m_readFd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(systemError("cannot read from the DevTools pipe", errno));
            return;
        }
        if (got == 0) {
            // Every copy of the other end is closed: the browser exited or was killed.
            fail(QStringLiteral("the browser closed the DevTools pipe"));
            return;
        }
        for (const QByteArray &message : m_reader.append(QByteArrayView(buffer, got))) {
            emit messageReceived(message);
            if (!self || !isOpen())
                return; // a handler deleted or closed us
        }
        if (m_reader.failed()) {
            fail(QStringLiteral("protocol error: a DevTools message longer than %1 bytes")
                     .arg(m_reader.maxMessageBytes()));
            return;
        }
    }
}

void CdpPipe::onWritable()
{
    QString error;
    if (!writeQueued(&error))
        fail(error);
}

bool CdpPipe::writeQueued(QString *error)
{
    while (bytesToWrite() > 0) {
        const ssize_t sent
            = sendNoSignal(m_writeFd, m_outgoing.constData() + m_written, static_cast<size_t>(bytesToWrite()));
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (m_written >= compactAfterBytes) {
                    m_outgoing.remove(0, m_written);
                    m_written = 0;
                }
                m_writeNotifier.setEnabled(true);
                return true;
            }
            *error = systemError("cannot write to the DevTools pipe", errno);
            return false;
        }
        m_written += sent;
    }
    m_outgoing.clear();
    m_written = 0;
    m_writeNotifier.setEnabled(false);
    return true;
}
