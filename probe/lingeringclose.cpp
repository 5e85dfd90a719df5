#include "lingeringclose.h"

#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

void LingeringClose::watch(QTcpSocket *socket)
{
#ifdef Q_OS_UNIX
    const qintptr descriptor = socket->socketDescriptor();
    if (descriptor < 0)
        return;
    const int copy = ::fcntl(static_cast<int>(descriptor), F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return;
    auto *lingering = new LingeringClose(copy);
    // Whichever comes first: Qt closed the socket (a close, an abort), or the object went without saying so.
    connect(socket, &QAbstractSocket::disconnected, lingering, &LingeringClose::begin);
    connect(socket, &QObject::destroyed, lingering, &LingeringClose::begin);
#else
    Q_UNUSED(socket);
#endif
}

LingeringClose::LingeringClose(int descriptor)
    : m_descriptor(descriptor)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &LingeringClose::finish);
}

LingeringClose::~LingeringClose()
{
#ifdef Q_OS_UNIX
    if (m_descriptor >= 0)
        ::close(m_descriptor);
#endif
}

void LingeringClose::begin()
{
#ifdef Q_OS_UNIX
    if (m_draining)
        return;
    m_draining = true;
    // What Qt wrote before closing (the close frame) is in the kernel already; FIN follows it.
    ::shutdown(m_descriptor, SHUT_WR);
    ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
    m_notifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LingeringClose::drain);
    m_deadline.start(drainMs);
    drain();
#endif
}

void LingeringClose::drain()
{
#ifdef Q_OS_UNIX
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t got = ::read(m_descriptor, buffer, sizeof buffer);
        if (got > 0) {
            m_drained += got;
            if (m_drained > maxDrainBytes)
                break;
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return; // more later
        break; // the peer closed too, or the connection is gone
    }
    finish();
#endif
}

void LingeringClose::finish()
{
    if (m_notifier)
        m_notifier->setEnabled(false);
    m_deadline.stop();
    deleteLater();
}
