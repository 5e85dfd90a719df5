#pragma once

#include "fakeapiserver.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

// A fake Kubernetes API server's namespace "worldspeed", for KubernetesBackend's tests: it follows the documented
// core/v1 Pod and Secret API (POST /api/v1/namespaces/{ns}/pods and …/secrets, GET and DELETE …/pods/{name}, DELETE
// …/secrets/{name}, failures as Status objects {"kind": "Status", "message", "reason", "code"}, pod status.phase /
// podIP / conditions / containerStatuses, Secret data base64, and the kubelet's CreateContainerConfigError for a
// container whose secretKeyRef names no Secret). It is NOT a real cluster, which the tests never contact.
namespace FakeKubernetes {

inline const QString apiToken = QStringLiteral("k8s-sa-token-0123456789abcdef");
inline const QString podsPath = QStringLiteral("/api/v1/namespaces/worldspeed/pods");
inline const QString secretsPath = QStringLiteral("/api/v1/namespaces/worldspeed/secrets");
// A probe certificate's SHA-256, as the settings name it.
inline const QByteArray pin = "3f0a11223344556677889900aabbccddeeff00112233445566778899aabbccdd";

using Answer = FakeApiServer::Answer;

// A Status object, as the API server answers a request it refuses.
Answer status(int code, const QString &reason, const QString &message);
QJsonObject condition(const QString &type, bool isTrue, const QString &reason = {}, const QString &message = {});
// Pod statuses: scheduled and pending; running, its containers ready or not; a container waiting for `reason`;
// no node for it.
QJsonObject pending();
QJsonObject running(bool ready);
QJsonObject waiting(const QString &reason, const QString &message);
QJsonObject unschedulablePod();
// The secretKeyRef names of a pod's containers.
QStringList referencedSecrets(const QJsonObject &pod);

// The Secrets of the namespace: POST makes one (409 AlreadyExists when it exists), DELETE removes it.
// `onCreate` sees each one made.
struct FakeSecrets
{
    QHash<QString, QJsonObject> secrets;
    std::function<void(const QJsonObject &)> onCreate;

    // The token a pod's Secret holds (data.token, base64), empty when there is no such Secret.
    QString tokenOf(const QString &name) const
    {
        return QString::fromUtf8(QByteArray::fromBase64(secrets.value(name)
                                                            .value(QStringLiteral("data"))
                                                            .toObject()
                                                            .value(QStringLiteral("token"))
                                                            .toString()
                                                            .toLatin1()));
    }

    Answer handle(const FakeApiServer::Request &request)
    {
        if (request.method == "POST" && request.path == secretsPath) {
            const QJsonObject secret = request.json();
            const QString name
                = secret.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
            if (secrets.contains(name))
                return status(
                    409, QStringLiteral("AlreadyExists"), QStringLiteral("secrets \"%1\" already exists").arg(name));
            secrets.insert(name, secret);
            if (onCreate)
                onCreate(secret);
            return Answer { 201, secret };
        }
        const QString name = request.path.mid(secretsPath.size() + 1);
        if (request.method == "DELETE" && secrets.remove(name) > 0)
            return Answer { 200, { { QStringLiteral("kind"), QStringLiteral("Status") } } };
        return status(404, QStringLiteral("NotFound"), QStringLiteral("secrets \"%1\" not found").arg(name));
    }
};

// The pods of a namespace: POST makes one (after `createAnswers`, answered in order), GET shows it going
// through `statuses` (the last one stays), DELETE removes it; the Secrets go to `secrets`.
struct FakeCluster
{
    QList<Answer> createAnswers;
    QList<QJsonObject> statuses { pending(), running(false), running(true) };
    QHash<QString, QJsonObject> pods;
    FakeSecrets secrets;
    bool createEvenWhenRefusing = false; // a create that fails (dropped answer) but made the pod all the same

    Answer handle(const FakeApiServer::Request &request)
    {
        if (request.path.startsWith(secretsPath))
            return secrets.handle(request);
        if (request.method == "POST" && request.path == podsPath) {
            QJsonObject pod = request.json();
            const QString name
                = pod.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
            if (pods.contains(name))
                return status(
                    409, QStringLiteral("AlreadyExists"), QStringLiteral("pods \"%1\" already exists").arg(name));
            if (!createAnswers.isEmpty()) {
                const Answer answer = createAnswers.takeFirst();
                if (createEvenWhenRefusing && answer.mode == Answer::Mode::Drop)
                    pods.insert(name, pod);
                return answer;
            }
            pods.insert(name, pod);
            pod.insert(
                QStringLiteral("status"), QJsonObject { { QStringLiteral("phase"), QStringLiteral("Pending") } });
            return Answer { 201, pod };
        }
        const QString name = request.path.mid(podsPath.size() + 1);
        if (!request.path.startsWith(podsPath + u'/') || !pods.contains(name))
            return status(404, QStringLiteral("NotFound"), QStringLiteral("pods \"%1\" not found").arg(name));
        QJsonObject pod = pods.value(name);
        if (request.method == "GET") {
            pod.insert(QStringLiteral("status"), statuses.size() > 1 ? statuses.takeFirst() : statuses.value(0));
            // What the kubelet does when a container's secretKeyRef names no Secret.
            for (const QString &secret : referencedSecrets(pod)) {
                if (!secrets.secrets.contains(secret))
                    pod.insert(QStringLiteral("status"),
                        waiting(QStringLiteral("CreateContainerConfigError"),
                            QStringLiteral("secret \"%1\" not found").arg(secret)));
            }
            return Answer { 200, pod };
        }
        if (request.method == "DELETE") {
            pods.remove(name);
            return Answer { 200, pod };
        }
        return status(405, QStringLiteral("MethodNotAllowed"), QStringLiteral("not allowed"));
    }
};

} // namespace FakeKubernetes
