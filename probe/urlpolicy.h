#pragma once

#include "hostlookup.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

class HostResolver;
class QObject;

// Which URLs and addresses the probe may load. A probe runs inside someone's network (a cloud VPC, a laptop, a
// cluster) and loads URLs that arrive over the wire; without this policy anyone who can submit a run could make
// it fetch the cloud metadata service or an intranet admin page and read the result back in a screenshot or HAR.
//
// What this class decides (it only decides; the page loader enforces):
//  - syntax: http and https only, a host, at most maxUrlLength bytes when encoded. file:, ftp:, data:,
//    javascript:, blob:, chrome: and relative URLs are refused. User info (user:pass@) is allowed: it does not
//    change which host is contacted.
//  - addresses, refused unless the policy allows private targets (see addressCategory() for the exact list):
//    IPv4 0/8, 10/8, 100.64/10 (CGNAT, incl. Alibaba metadata 100.100.100.200), 127/8, 169.254/16 (link-local,
//    incl. 169.254.169.254 metadata), 172.16/12, 192.0.0/24 (IETF, incl. Oracle metadata 192.0.0.192),
//    192.168/16, 198.18/15 (benchmarking), 224/4 (multicast), 240/4 (reserved, incl. 255.255.255.255);
//    IPv6 ::, ::1, ::/96 (IPv4-compatible, deprecated), 100::/64 (discard), 64:ff9b:1::/48 (local-use NAT64),
//    fc00::/7 (ULA, incl. fd00:ec2::254 metadata), fe80::/10, fec0::/10, ff00::/8. Addresses that embed an
//    IPv4 address are judged by it: ::ffff:a.b.c.d (mapped), 64:ff9b::a.b.c.d (NAT64), 2002:AABB:CCDD:: (6to4),
//    2001:0::/32 (Teredo client address).
//  - names: a host is refused if it does not resolve or if ANY address it resolves to is refused — the browser may
//    pick any of them. "localhost" and "*.localhost" count as loopback without a lookup, because Chromium maps them
//    to loopback itself and never asks DNS. IP literals are judged as they are, with no lookup.
//
// Names are looked up with a HostLookup: the probe's bounded HostResolver (the policy's own unless it is given
// one), or a load's PinnedResolver, which answers each name once per load.
//
// What it does not do, and who must:
//  - DNS rebinding: a name may resolve to a public address here and to a private one a moment later. The policy
//    only judges answers; a page's loads go through an EgressProxy, which connects only to the very addresses the
//    policy judged (see SECURITY.md, "Egress").
//  - ports: any port is allowed (Chromium refuses its own list of unsafe ports, e.g. 25).
class UrlPolicy final
{
public:
    struct Verdict
    {
        bool allowed = false;
        QString reason; // why it was refused; empty when allowed

        static Verdict allow() { return { true, {} }; }
        static Verdict refuse(QString why) { return { false, std::move(why) }; }
    };

    static constexpr qsizetype maxUrlLength = 8192; // 8 KiB, encoded
    static constexpr std::chrono::milliseconds defaultLookupTimeout { 10'000 };

    // With a HostResolver of its own (the system's resolver, HostResolver's default limits) until setResolver().
    explicit UrlPolicy(bool allowPrivateTargets = false);

    void setResolver(std::shared_ptr<HostResolver> resolver);
    std::shared_ptr<HostResolver> resolver() const { return m_resolver; }

    bool allowsPrivateTargets() const { return m_allowPrivateTargets; }

    // Exceptions for one known target, e.g. an internal staging server a probe is meant to test, while every
    // other private address stays refused: a URL whose host (case-insensitive, as written in the URL) and port
    // match is allowed without an address check. A port of -1 means the scheme's default port (80 for http and
    // ws, 443 for https and wss), never every port.
    void allowTarget(const QString &host, int port = -1);
    bool isExempt(const QUrl &url) const;
    // The same for a connection's end, where the scheme is unknown: a target allowed without a port matches the
    // web's ports, 80 and 443.
    bool isExemptTarget(const QString &host, int port) const;
    // A stuck resolver must not hold a run forever; after this long check() refuses.
    void setLookupTimeout(std::chrono::milliseconds timeout) { m_lookupTimeout = timeout; }
    std::chrono::milliseconds lookupTimeout() const { return m_lookupTimeout; }

    // Syntax only: scheme, host, length. No lookup.
    Verdict checkSyntax(const QUrl &url) const;

    // One address the browser connected to (or is about to), for the host it belongs to (used in the reason).
    Verdict checkAddress(const QString &host, const QHostAddress &address) const;
    // The same for an address as text, as CDP reports it ("93.184.216.34", "[::1]", "::1"); unparsable is refused.
    Verdict checkAddress(const QString &host, const QString &address) const;

    // Syntax, then the host's addresses (looked up unless it is a literal or a localhost name).
    // done is always called exactly once, later from context's thread's event loop (never from inside check()),
    // unless context (which must not be null) is destroyed first: then it is not called at all, so a cancelled
    // run need not guard its callback. The policy object itself may be gone by then; with the policy's own
    // resolver, the request keeps that resolver alive until it is answered. With another lookup, that lookup
    // must live until the answer (its going away drops the request).
    void check(const QUrl &url, QObject *context, std::function<void(Verdict)> done) const;
    void check(const QUrl &url, HostLookup &lookup, QObject *context, std::function<void(Verdict)> done) const;
    // One host and port of a connection: the host's addresses, looked up unless a literal or a localhost name,
    // judged (an exempt host and port, isExemptTarget(), passes whatever they are; port -1: no exemption). When
    // allowed, done also gets the addresses, the only ones the caller may connect to. Called back as check().
    void resolve(const QString &host, int port, HostLookup &lookup, QObject *context,
        std::function<void(Verdict, QList<QHostAddress>)> done) const;

    // What kind of non-public address this is ("loopback", "private (RFC 1918)", "cloud metadata", …), or an
    // empty string for a public one.
    static QString addressCategory(const QHostAddress &address);
    static bool isPrivateAddress(const QHostAddress &address) { return !addressCategory(address).isEmpty(); }

private:
    static Verdict judge(bool allowPrivateTargets, const QString &host, const QHostAddress &address);

    bool m_allowPrivateTargets;
    std::shared_ptr<HostResolver> m_resolver;
    QList<std::pair<QString, int>> m_exemptTargets;
    std::chrono::milliseconds m_lookupTimeout = defaultLookupTimeout;
};
