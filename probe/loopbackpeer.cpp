#include "loopbackpeer.h"

#include <QFile>
#include <QtEndian>

#ifdef Q_OS_LINUX
#include <unistd.h>
#endif

namespace {

// The kernel writes an IPv4 socket address as the address in host byte order, in hex, then the port:
// 127.0.0.1:8080 is "0100007F:1F90" on a little-endian machine.
QByteArray tableAddress(const QHostAddress &address, quint16 port)
{
    bool ok = false;
    const quint32 ipv4 = address.toIPv4Address(&ok);
    if (!ok)
        return {};
    const quint32 asStored = qToBigEndian(ipv4); // network order, read back as a host-order word
    return QByteArray::number(asStored, 16).rightJustified(8, '0').toUpper() + ':'
        + QByteArray::number(port, 16).rightJustified(4, '0').toUpper();
}

} // namespace

std::optional<uint> LoopbackPeer::ownerOf(
    const QHostAddress &peerAddress, quint16 peerPort, const QHostAddress &localAddress, quint16 localPort)
{
    const QByteArray peer = tableAddress(peerAddress, peerPort);
    const QByteArray local = tableAddress(localAddress, localPort);
    if (peer.isEmpty() || local.isEmpty())
        return std::nullopt;
    QFile table(QStringLiteral("/proc/net/tcp"));
    if (!table.open(QIODevice::ReadOnly))
        return std::nullopt;
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …": the peer's own
    // socket is the line whose local address is the peer and whose remote address is us.
    table.readLine(); // the heading
    while (!table.atEnd()) {
        const QList<QByteArray> fields = table.readLine().simplified().split(' ');
        if (fields.size() < 8 || fields.at(1) != peer || fields.at(2) != local)
            continue;
        bool ok = false;
        const uint uid = fields.at(7).toUInt(&ok);
        return ok ? std::optional<uint>(uid) : std::nullopt;
    }
    return std::nullopt;
}

bool LoopbackPeer::isOwnUser(
    const QHostAddress &peerAddress, quint16 peerPort, const QHostAddress &localAddress, quint16 localPort)
{
#ifdef Q_OS_LINUX
    return ownerOf(peerAddress, peerPort, localAddress, localPort) == uint(::geteuid());
#else
    Q_UNUSED(peerAddress);
    Q_UNUSED(peerPort);
    Q_UNUSED(localAddress);
    Q_UNUSED(localPort);
    return true;
#endif
}
