#pragma once

#include "hostlookup.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include <memory>

// One page load's view of DNS: each host name is looked up once, through the probe's shared resolver, and that
// answer is the one the load's policy checks and the one its egress proxy connects to, for the whole load. A name
// that answers a public address to the check and a private one to the connection (DNS rebinding) thus has no
// second answer to give. It also caps how many distinct names one load may have looked up, because the page
// chooses them: beyond maxNames a name is not looked up at all, its requests fail, and warning() says so.
class PinnedResolver final : public QObject, public HostLookup
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PinnedResolver)

public:
    static constexpr int defaultMaxNames = 256;

    PinnedResolver(std::shared_ptr<HostLookup> resolver, int maxNames, QObject *parent = nullptr);

    void lookup(const QString &host, std::chrono::milliseconds timeout, QObject *context,
        std::function<void(const HostAnswer &)> done) override;

    int maxNames() const { return m_maxNames; }
    int nameCount() const { return static_cast<int>(m_names.size()); }
    // Empty unless the cap turned names away: then how many, and the first few of them.
    QString warning() const;

private:
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void(const HostAnswer &)> done;
    };
    struct Name
    {
        bool answered = false;
        HostAnswer answer;
        QList<Waiter> waiters;
    };

    std::shared_ptr<HostLookup> m_resolver;
    int m_maxNames;
    QHash<QString, Name> m_names; // key: the name in lower case
    QSet<QString> m_cut; // the names turned away (up to a bound)
    QStringList m_cutNames; // the first few of them, in order
};
