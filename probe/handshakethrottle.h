#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>

#include <chrono>

// Remembers recent failed handshakes per address block and says how long the refusal of the next failure from a
// block waits. A block is one IPv4 address or one IPv6 /64: a host given a /64 can pick any address in it, so the
// exact address would not slow anyone down. The delay only ever holds back wrong tokens; nothing here decides
// whether a right token gets in, so an attacker sharing a NAT address with real clients cannot lock them out.
//
// Bounded: failures older than the window are forgotten by prune() (the owner calls it on a timer, so blocks that
// never come back are forgotten too), and at most maxBlocks are remembered; a new block then replaces the one
// whose last failure is oldest. Times are milliseconds of a monotonic clock, passed in, so tests can drive them.
class HandshakeThrottle final
{
public:
    struct Policy
    {
        std::chrono::milliseconds window { 60'000 }; // failures older than this no longer count
        std::chrono::milliseconds firstDelay { 250 }; // before refusing a block's first failure in the window
        std::chrono::milliseconds maxDelay { 5'000 }; // the delay doubles with each further failure, up to this
        qsizetype maxBlocks = 4096;
    };

    HandshakeThrottle();
    explicit HandshakeThrottle(Policy policy);

    // The block an address belongs to, as a hash key; an IPv4-mapped IPv6 address is its IPv4 address.
    static QByteArray blockOf(const QHostAddress &address);

    // Counts a failed handshake from the address and returns how long to wait before refusing it.
    std::chrono::milliseconds noteFailure(const QHostAddress &address, qint64 nowMs);
    // Failures from the address's block within the window.
    int recentFailures(const QHostAddress &address, qint64 nowMs) const;
    // Forgets every block whose last failure is older than the window.
    void prune(qint64 nowMs);

    qsizetype size() const { return m_blocks.size(); }
    const Policy &policy() const { return m_policy; }

private:
    struct Record
    {
        int failures = 0;
        qint64 lastFailureMs = 0;
    };

    bool isStale(const Record &record, qint64 nowMs) const;
    void makeRoom(qint64 nowMs);

    Policy m_policy;
    QHash<QByteArray, Record> m_blocks;
};
