#include "kubernetespodstatus.h"

#include "cloudapiclient.h"

#include <QJsonArray>
#include <QStringList>

namespace {

constexpr qsizetype maxMessageLength = CloudApiClient::maxMessageLength;

// Waiting reasons after which the container will not start without someone changing the pod or the registry.
bool isFatalWaitingReason(const QString &reason)
{
    static const QStringList fatal { QStringLiteral("ErrImagePull"), QStringLiteral("ImagePullBackOff"),
        QStringLiteral("InvalidImageName"), QStringLiteral("ErrImageNeverPull"),
        QStringLiteral("CreateContainerConfigError"), QStringLiteral("CreateContainerError"),
        QStringLiteral("RunContainerError") };
    return fatal.contains(reason);
}

QJsonObject stateOf(const QJsonValue &container, const QString &which)
{
    return container.toObject().value(QStringLiteral("state")).toObject().value(which).toObject();
}

QString shortMessage(const QJsonObject &object)
{
    return object.value(QStringLiteral("message")).toString().simplified().left(maxMessageLength);
}

} // namespace

KubernetesPodStatus::KubernetesPodStatus(const QJsonObject &status)
    : m_phase(status.value(QStringLiteral("phase")).toString())
    , m_podIp(status.value(QStringLiteral("podIP")).toString())
    , m_message(shortMessage(status))
{
    readContainers(status);
    readConditions(status);
}

void KubernetesPodStatus::readContainers(const QJsonObject &status)
{
    QStringList terminations;
    for (const QString &key : { QStringLiteral("initContainerStatuses"), QStringLiteral("containerStatuses") }) {
        for (const QJsonValue &container : status.value(key).toArray()) {
            const QJsonObject waiting = stateOf(container, QStringLiteral("waiting"));
            const QString reason = waiting.value(QStringLiteral("reason")).toString();
            if (m_fatalWaiting.isEmpty() && isFatalWaitingReason(reason)) {
                const QString message = shortMessage(waiting);
                m_fatalWaiting = message.isEmpty() ? reason : reason + u": " + message;
            }
            const QJsonObject terminated = stateOf(container, QStringLiteral("terminated"));
            if (key == u"containerStatuses" && !terminated.isEmpty()) {
                QString part = terminated.value(QStringLiteral("reason")).toString(QStringLiteral("terminated"));
                part += QStringLiteral(", exit code %1").arg(terminated.value(QStringLiteral("exitCode")).toInt());
                if (const QString message = shortMessage(terminated); !message.isEmpty())
                    part += QStringLiteral(": ") + message;
                terminations.append(part);
            }
        }
    }
    m_termination = terminations.join(QStringLiteral("; "));
}

void KubernetesPodStatus::readConditions(const QJsonObject &status)
{
    for (const QJsonValue &value : status.value(QStringLiteral("conditions")).toArray()) {
        const QJsonObject condition = value.toObject();
        const QString type = condition.value(QStringLiteral("type")).toString();
        const bool isTrue = condition.value(QStringLiteral("status")).toString() == u"True";
        if (type == u"PodScheduled" && !isTrue
            && condition.value(QStringLiteral("reason")).toString() == u"Unschedulable") {
            // Not fatal: a cluster autoscaler adds a node for exactly such a pod, which takes minutes.
            const QString message = shortMessage(condition);
            m_unschedulable
                = QStringLiteral("unschedulable: ") + (message.isEmpty() ? QStringLiteral("no reason given") : message);
        }
        if (type == u"Ready") {
            m_readyKnown = true;
            m_ready = isTrue;
        }
    }
}

bool KubernetesPodStatus::isReachable() const
{
    return m_phase == u"Running" && !m_podIp.isEmpty() && (m_ready || !m_readyKnown);
}

QString KubernetesPodStatus::endedVerb() const
{
    return m_phase == u"Failed" ? QStringLiteral("failed") : QStringLiteral("exited");
}

QString KubernetesPodStatus::endedReason() const
{
    if (m_termination.isEmpty())
        return m_message;
    return m_message.isEmpty() ? m_termination : m_message + QStringLiteral(" (") + m_termination + u')';
}

QString KubernetesPodStatus::progress() const
{
    QString text = m_phase.isEmpty() ? QStringLiteral("no phase yet") : QStringLiteral("phase %1").arg(m_phase);
    if (m_phase == u"Running")
        text += QStringLiteral(", not ready");
    if (!m_unschedulable.isEmpty())
        text += QStringLiteral(", ") + m_unschedulable;
    return text;
}
