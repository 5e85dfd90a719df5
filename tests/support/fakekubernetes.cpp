#include "fakekubernetes.h"

#include <QJsonArray>

namespace FakeKubernetes {

Answer status(int code, const QString &reason, const QString &message)
{
    return Answer { code,
        { { QStringLiteral("kind"), QStringLiteral("Status") }, { QStringLiteral("apiVersion"), QStringLiteral("v1") },
            { QStringLiteral("metadata"), QJsonObject {} }, { QStringLiteral("status"), QStringLiteral("Failure") },
            { QStringLiteral("message"), message }, { QStringLiteral("reason"), reason },
            { QStringLiteral("code"), code } } };
}

QJsonObject condition(const QString &type, bool isTrue, const QString &reason, const QString &message)
{
    QJsonObject c { { QStringLiteral("type"), type },
        { QStringLiteral("status"), isTrue ? QStringLiteral("True") : QStringLiteral("False") } };
    if (!reason.isEmpty())
        c.insert(QStringLiteral("reason"), reason);
    if (!message.isEmpty())
        c.insert(QStringLiteral("message"), message);
    return c;
}

QJsonObject pending()
{
    return { { QStringLiteral("phase"), QStringLiteral("Pending") },
        { QStringLiteral("conditions"), QJsonArray { condition(QStringLiteral("PodScheduled"), true) } } };
}

QJsonObject running(bool ready)
{
    return { { QStringLiteral("phase"), QStringLiteral("Running") },
        { QStringLiteral("podIP"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("conditions"),
            QJsonArray { condition(QStringLiteral("PodScheduled"), true),
                condition(QStringLiteral("ContainersReady"), ready), condition(QStringLiteral("Ready"), ready) } },
        { QStringLiteral("containerStatuses"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), QStringLiteral("probe") }, { QStringLiteral("ready"), ready },
                    { QStringLiteral("state"), QJsonObject { { QStringLiteral("running"), QJsonObject {} } } } } } } };
}

QJsonObject waiting(const QString &reason, const QString &message)
{
    return { { QStringLiteral("phase"), QStringLiteral("Pending") },
        { QStringLiteral("conditions"), QJsonArray { condition(QStringLiteral("PodScheduled"), true) } },
        { QStringLiteral("containerStatuses"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), QStringLiteral("probe") }, { QStringLiteral("ready"), false },
                    { QStringLiteral("state"),
                        QJsonObject { { QStringLiteral("waiting"),
                            QJsonObject { { QStringLiteral("reason"), reason },
                                { QStringLiteral("message"), message } } } } } } } } };
}

QJsonObject unschedulablePod()
{
    return QJsonObject { { QStringLiteral("phase"), QStringLiteral("Pending") },
        { QStringLiteral("conditions"),
            QJsonArray { condition(QStringLiteral("PodScheduled"), false, QStringLiteral("Unschedulable"),
                QStringLiteral("0/3 nodes are available: 3 Insufficient cpu.")) } } };
}

QStringList referencedSecrets(const QJsonObject &pod)
{
    QStringList names;
    const QJsonArray containers
        = pod.value(QStringLiteral("spec")).toObject().value(QStringLiteral("containers")).toArray();
    for (const QJsonValue &container : containers) {
        for (const QJsonValue &env : container.toObject().value(QStringLiteral("env")).toArray()) {
            const QString name = env.toObject()
                                     .value(QStringLiteral("valueFrom"))
                                     .toObject()
                                     .value(QStringLiteral("secretKeyRef"))
                                     .toObject()
                                     .value(QStringLiteral("name"))
                                     .toString();
            if (!name.isEmpty())
                names.append(name);
        }
    }
    return names;
}

} // namespace FakeKubernetes
