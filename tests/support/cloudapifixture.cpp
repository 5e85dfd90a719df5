#include "cloudapifixture.h"

bool CloudApiFixture::startApi(const QString &tokenSecret, const QString &token)
{
    m_api = std::make_unique<FakeApiServer>();
    if (!m_api->listen())
        return false;
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_secrets.secrets = { { tokenSecret, token } };
    m_secrets.failure.clear();
    return true;
}

void CloudApiFixture::stopApi()
{
    m_nam.reset();
    m_api.reset();
}
