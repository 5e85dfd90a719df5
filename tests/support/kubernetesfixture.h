#pragma once

#include "cloudapifixture.h"
#include "fakeapiserver.h"
#include "fakekubernetes.h"
#include "fleet/kubernetesbackend.h"
#include "testcertificates.h"

#include <memory>

// What KubernetesBackend's test classes share: a fake API server on loopback (fresh for each test), the service
// account token in a secret store, throwaway certificates for TLS to it, and settings that point at it. A test class
// derives from it, makes the certificates in initTestCase() if it needs them, and calls startApi() from init() and
// stopApi() from cleanup().
class KubernetesFixture : protected CloudApiFixture
{
protected:
    bool startApi() { return CloudApiFixture::startApi(QStringLiteral("k8s-token"), FakeKubernetes::apiToken); }

    KubernetesBackend::Settings settings() const;
    // The fake answers from `cluster` from now on.
    void serve(std::shared_ptr<FakeKubernetes::FakeCluster> cluster);

    TestCertificates m_certificates;
};
