#pragma once

#include "fleet/probeclient.h"

#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

// A real `worldspeed-probe serve` that a test starts itself: as a machine or pod that a fake cloud API has
// "started" would run it (on loopback, with the token its create request carried), or as a region's probe inside
// a network namespace of the test's own. It gets its token through the environment, runs with a parent grace by
// default, so that a probe whose test crashed does not outlive it for long, and is stopped with this object.
class ProbeProcess final
{
    Q_DISABLE_COPY_MOVE(ProbeProcess)

public:
    struct Options
    {
        QString program;
        QString token;
        QString listen = QStringLiteral("127.0.0.1:0");
        QString region = QStringLiteral("fra");
        int parentGraceSeconds = 60; // 0: none
        QStringList extraArguments; // after --allow-private-targets and the above
        QString networkNamespace; // when set, started there through `ip netns exec` (needs root)
    };

    ProbeProcess() = default;
    ~ProbeProcess();

    // True once it printed its ready line (within 15 s).
    bool start(const Options &options);
    // On 127.0.0.1:`port` (0: any free one), for region "fra".
    bool start(const QString &program, const QString &token, quint16 port = 0);
    // SIGTERM (which `ip netns exec` passes on), then a wait of up to `timeoutMs` for it to exit.
    bool stop(int timeoutMs = 10'000);

    // Where it listens, from its ready line.
    QUrl endpoint() const { return m_endpoint; }
    // Whether a client reaches this probe through `endpoint` (its URL, headers and token) and is greeted by it, as
    // the probe of its region; *problem says why not.
    bool greets(const ProbeClient::Endpoint &endpoint, QString *problem) const;

    // A port on 127.0.0.1 that was free a moment ago: for a probe that has to start after its address is handed
    // out, as a machine's does once its create request carried the token.
    static quint16 freePort();

private:
    QProcess m_process;
    QString m_region;
    QUrl m_endpoint;
};
