#pragma once

#include "fakeapiserver.h"
#include "memorysecretstore.h"

#include <QNetworkAccessManager>
#include <QString>

#include <memory>

// What the cloud backends' test fixtures (FlyFixture, KubernetesFixture) share: a fake API server on loopback, fresh
// for each test, the network access manager the backend talks to it with, and the API token in a secret store.
class CloudApiFixture
{
protected:
    // Starts the server; the store then holds `token` under `tokenSecret`, and nothing else, and reads succeed.
    bool startApi(const QString &tokenSecret, const QString &token);
    void stopApi();

    std::unique_ptr<FakeApiServer> m_api;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    MemorySecretStore m_secrets;
};
