#pragma once

#include "kubernetesbackend.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

// The objects KubernetesBackend asks the API server for, one runner at a time: its pod (the user's pod template
// with what the backend sets laid over it) and the Secret that holds the pod's own token. Both carry the same
// name, labels and runner annotation, so that either can be told apart from anyone else's.
class KubernetesManifests final
{
public:
    KubernetesManifests() = delete;

    // The annotation that names the runner a pod or Secret belongs to, in full.
    static const QString runnerAnnotation;

    static QJsonObject pod(const KubernetesBackend::Settings &settings, const QString &runnerId, const QString &name);
    static QJsonObject tokenSecret(const KubernetesBackend::Settings &settings, const QString &runnerId,
        const QString &name, const QString &token);

private:
    static QJsonObject metadata(
        const KubernetesBackend::Settings &settings, const QString &runnerId, const QString &name);
    static QJsonObject container(const KubernetesBackend::Settings &settings);
    static QJsonArray arguments(const KubernetesBackend::Settings &settings);
};
