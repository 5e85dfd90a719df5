#include "handshakethrottle.h"

#include <algorithm>
#include <cmath>

HandshakeThrottle::HandshakeThrottle()
    : HandshakeThrottle(Policy {})
{ }

HandshakeThrottle::HandshakeThrottle(Policy policy)
    : m_policy(policy)
{
    m_policy.maxBlocks = std::max<qsizetype>(1, m_policy.maxBlocks);
}

QByteArray HandshakeThrottle::blockOf(const QHostAddress &address)
{
    bool isIPv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    if (isIPv4) {
        QByteArray key("4:");
        for (int shift = 24; shift >= 0; shift -= 8)
            key.append(static_cast<char>((ipv4 >> shift) & 0xff));
        return key;
    }
    const Q_IPV6ADDR ipv6 = address.toIPv6Address();
    QByteArray key("6:");
    key.append(reinterpret_cast<const char *>(ipv6.c), 8); // the /64 prefix
    return key;
}

bool HandshakeThrottle::isStale(const Record &record, qint64 nowMs) const
{
    return nowMs - record.lastFailureMs > m_policy.window.count();
}

std::chrono::milliseconds HandshakeThrottle::noteFailure(const QHostAddress &address, qint64 nowMs)
{
    const QByteArray block = blockOf(address);
    auto it = m_blocks.find(block);
    if (it == m_blocks.end()) {
        if (m_blocks.size() >= m_policy.maxBlocks)
            makeRoom(nowMs);
        it = m_blocks.insert(block, Record {});
    } else if (isStale(*it, nowMs)) {
        *it = Record {};
    }
    it->failures = std::min(it->failures + 1, 1'000'000);
    it->lastFailureMs = nowMs;
    const double doublings = std::min(it->failures - 1, 30);
    const double delay = double(m_policy.firstDelay.count()) * std::exp2(doublings);
    return std::chrono::milliseconds(qint64(std::min(delay, double(m_policy.maxDelay.count()))));
}

int HandshakeThrottle::recentFailures(const QHostAddress &address, qint64 nowMs) const
{
    const auto it = m_blocks.constFind(blockOf(address));
    return it == m_blocks.constEnd() || isStale(*it, nowMs) ? 0 : it->failures;
}

void HandshakeThrottle::prune(qint64 nowMs)
{
    m_blocks.removeIf([this, nowMs](const auto &entry) { return isStale(entry.value(), nowMs); });
}

void HandshakeThrottle::makeRoom(qint64 nowMs)
{
    prune(nowMs);
    if (m_blocks.size() < m_policy.maxBlocks)
        return;
    // Full of recent failures (many blocks at once): the block heard from least recently gives way.
    auto oldest = m_blocks.begin();
    for (auto it = m_blocks.begin(); it != m_blocks.end(); ++it) {
        if (it->lastFailureMs < oldest->lastFailureMs)
            oldest = it;
    }
    m_blocks.erase(oldest);
}
