#pragma once

#include <QJsonObject>
#include <QString>

// What a pod's status (core/v1 PodStatus) says about a probe that is starting, read once per poll: whether it can
// be reached, has ended, will never start, or is still on its way (and why, for the boot timeout's message).
class KubernetesPodStatus final
{
public:
    explicit KubernetesPodStatus(const QJsonObject &status);

    QString phase() const { return m_phase; }
    QString podIp() const { return m_podIp; }
    // Running, with an IP, and Ready (or no Ready condition at all).
    bool isReachable() const;
    // Failed or Succeeded: the probe will not be reached.
    bool hasEnded() const { return m_phase == u"Failed" || m_phase == u"Succeeded"; }
    // For an ended pod: "failed" or "exited", and why ("Error, exit code 2: …"), empty when nothing says.
    QString endedVerb() const;
    QString endedReason() const;
    // A container waits for what will not come without someone changing the pod or the registry
    // ("ErrImagePull: …"); empty otherwise.
    QString fatalWaiting() const { return m_fatalWaiting; }
    // "phase Pending, unschedulable: 0/3 nodes are available: …": what it is waiting for.
    QString progress() const;

private:
    void readContainers(const QJsonObject &status);
    void readConditions(const QJsonObject &status);

    QString m_phase;
    QString m_podIp;
    QString m_message;
    QString m_termination;
    QString m_fatalWaiting;
    QString m_unschedulable;
    bool m_readyKnown = false;
    bool m_ready = false;
};
