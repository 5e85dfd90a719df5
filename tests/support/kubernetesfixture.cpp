#include "kubernetesfixture.h"

KubernetesBackend::Settings KubernetesFixture::settings() const
{
    KubernetesBackend::Settings s;
    s.apiServer = m_api->url();
    s.tokenSecret = QStringLiteral("k8s-token");
    s.namespaceName = QStringLiteral("worldspeed");
    s.image = QStringLiteral("ghcr.io/example/worldspeed-probe:1");
    s.region = QStringLiteral("fra");
    s.endpointTemplate = QStringLiteral("ws://{podIP}:1/");
    s.pollIntervalMs = 50;
    s.bootTimeoutMs = 10'000;
    s.retryInitialDelayMs = 10;
    s.retryMaxDelayMs = 40;
    return s;
}

void KubernetesFixture::serve(std::shared_ptr<FakeKubernetes::FakeCluster> cluster)
{
    m_api->setHandler([cluster](const FakeApiServer::Request &request) { return cluster->handle(request); });
}
