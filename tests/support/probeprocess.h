#pragma once

#include "fleet/probeclient.h"

#include <QProcess>
#include <QString>
#include <QUrl>

// A real `worldspeed-probe serve` on 127.0.0.1, as a machine or pod that a fake cloud API has "started" would run
// it, so that a test can follow the endpoint a cloud backend hands out all the way to a real probe. It runs with a
// parent grace, so that a probe whose test crashed does not outlive it for long, and is stopped with this object.
class LoopbackProbe final
{
    Q_DISABLE_COPY_MOVE(LoopbackProbe)

public:
    LoopbackProbe() = default;
    ~LoopbackProbe();

    // Starts `program` with `token` in its environment, for region "fra"; true once it printed its ready line.
    bool start(const QString &program, const QString &token);
    // Where it listens, from its ready line.
    QUrl endpoint() const { return m_endpoint; }
    // Whether a client reaches this probe through `endpoint` (its URL, headers and token) and is greeted by it, as
    // the probe of region "fra"; *problem says why not.
    bool greets(const ProbeClient::Endpoint &endpoint, QString *problem) const;

private:
    QProcess m_process;
    QUrl m_endpoint;
};
