#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

#include <chrono>
#include <functional>

class QObject;

// What a name lookup came to: its addresses, or why there are none.
struct HostAnswer
{
    QList<QHostAddress> addresses;
    QString error; // empty when the name resolved
    bool timedOut = false;

    bool ok() const { return error.isEmpty() && !addresses.isEmpty(); }
};

// Something that turns a host name into addresses: the probe's shared, bounded HostResolver, or one load's
// PinnedResolver in front of it. UrlPolicy judges what either answers.
class HostLookup
{
public:
    virtual ~HostLookup() = default;

    // done is called exactly once, later from the event loop of context's thread (never from inside lookup()),
    // unless context (not null) or the lookup object is destroyed first: then never, and nothing of the request
    // is left behind.
    virtual void lookup(const QString &host, std::chrono::milliseconds timeout, QObject *context,
        std::function<void(const HostAnswer &)> done)
        = 0;
};
