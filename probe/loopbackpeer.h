#pragma once

#include <QHostAddress>

#include <optional>

// Who is at the other end of a loopback TCP connection: the user that owns the peer's socket, as the kernel's
// socket table (/proc/net/tcp) says. A listener on 127.0.0.1 is reachable by every local user; this lets it serve
// only its own user's processes (the probe's browser runs as the probe's user).
class LoopbackPeer final
{
public:
    // The owner of the socket at peerAddress:peerPort connected to localAddress:localPort; nullopt when the
    // table has no such connection (it has gone) or cannot be read. IPv4 only: our listeners bind 127.0.0.1.
    static std::optional<uint> ownerOf(
        const QHostAddress &peerAddress, quint16 peerPort, const QHostAddress &localAddress, quint16 localPort);
    // Whether the peer runs as this process's effective user. Off Linux, where there is no such table, always true
    // (see SECURITY.md).
    static bool isOwnUser(
        const QHostAddress &peerAddress, quint16 peerPort, const QHostAddress &localAddress, quint16 localPort);
};
