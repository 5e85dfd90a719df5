#pragma once

#include "hostlookup.h"

#include <QHostAddress>
#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <map>
#include <memory>
#include <optional>

// The probe's own name resolver, shared by everything in one probe. It exists because a page decides how many
// names get looked up: with Qt's process-wide lookup pool a page with thousands of host names would queue ahead
// of every other client's runs, and a lookup whose requester had gone away or timed out left its callback behind.
//
//  - At most maxConcurrent lookups run at once; the rest wait in order of asking. A request's timeout counts
//    from when it was asked, so waiting for a slot is part of it.
//  - By default it asks the system (getaddrinfo on a thread of its own pool: the hosts file and nsswitch count,
//    as they do for any program on the machine). With setNameserver() it asks that DNS server over UDP itself,
//    for A and AAAA records, and nothing else: a deployment that must not use the machine's resolver, and the
//    tests, which bring their own server.
//  - A request that times out is answered at once; a system lookup that is still running keeps its slot until
//    its thread returns (getaddrinfo cannot be interrupted), so a stuck system resolver cannot make the probe
//    start unbounded threads. A DNS-server lookup gives its slot back at once.
class HostResolver final : public QObject, public HostLookup
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostResolver)

public:
    static constexpr int defaultMaxConcurrent = 8;

    explicit HostResolver(int maxConcurrent = defaultMaxConcurrent, QObject *parent = nullptr);
    ~HostResolver() override; // waits for system lookups still running
    // A shared resolver. A request's callback may hold the last reference (UrlPolicy::check keeps the resolver
    // alive that way); when it lets go inside the resolver's own code, the resolver is deleted later, from the
    // event loop, not under its own feet.
    static std::shared_ptr<HostResolver> create(int maxConcurrent = defaultMaxConcurrent);

    void setNameserver(const QHostAddress &address, quint16 port = 53);
    std::optional<std::pair<QHostAddress, quint16>> nameserver() const { return m_nameserver; }
    int maxConcurrent() const { return m_maxConcurrent; }

    // host as in a URL (Unicode or ACE). See HostLookup::lookup.
    void lookup(const QString &host, std::chrono::milliseconds timeout, QObject *context,
        std::function<void(const HostAnswer &)> done) override;

    int pendingCount() const { return static_cast<int>(m_requests.size()); } // asked, not yet answered or dropped
    int busyCount() const { return m_busy; } // slots in use

private:
    struct Request;
    void startWaiting();
    void startSystemLookup(quint64 id, const QString &host);
    void onSystemAnswer(quint64 id, const HostAnswer &answer);
    void startDnsLookup(quint64 id, Request &request);
    void onDatagrams(quint64 id);
    void finish(quint64 id, const HostAnswer &answer);
    std::unique_ptr<Request> take(quint64 id);

    int m_maxConcurrent;
    std::optional<std::pair<QHostAddress, quint16>> m_nameserver;
    std::map<quint64, std::unique_ptr<Request>> m_requests;
    QList<quint64> m_waiting;
    quint64 m_nextId = 1;
    int m_busy = 0;
    int m_depth = 0; // > 0 while a request is being answered or dropped
    QThreadPool m_pool; // last: destroyed (waited for) first
};
