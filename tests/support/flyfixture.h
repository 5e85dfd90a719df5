#pragma once

#include "cloudapifixture.h"
#include "fakeapiserver.h"
#include "fleet/flybackend.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

// The fake Fly Machines API's side of FlyBackend's tests. It follows the documented API (POST
// /v1/apps/{app}/machines, GET …/machines/{id}/wait?state=started, GET …/machines/{id}, DELETE
// …/machines/{id}?force=true, errors as {"error": "…"}, a machine's files as config.files[] {guest_path, raw_value
// (base64), mode}); it is NOT the real service, which the tests never contact.
namespace FakeFly {

inline const QString apiToken = QStringLiteral("fly-api-token-0123456789abcdef");
inline const QString tokenFile = QStringLiteral("/run/secrets/worldspeed-probe-token");

using Answer = FakeApiServer::Answer;

// The token a create request gives its machine: the file at tokenFile in its config, base64 as the API wants it.
QString machineToken(const QJsonObject &createBody);
// An error as the API answers it.
Answer error(int status, const QString &message);

} // namespace FakeFly

// What FlyBackend's test classes share: a fake API server on loopback (fresh for each test), the API token in a
// secret store, settings that point at it, and a script for one machine. A test class derives from it and calls
// startApi() from init() and stopApi() from cleanup().
class FlyFixture : protected CloudApiFixture
{
protected:
    using Answer = FakeFly::Answer;

    bool startApi() { return CloudApiFixture::startApi(QStringLiteral("fly-token"), FakeFly::apiToken); }

    FlyBackend::Settings settings() const;
    // A fake whose POST makes machine m1 (after `refusals`, answered in order), which is then started;
    // `onCreate` sees each create request's body that makes it.
    void scriptMachine(
        QList<Answer> refusals = {}, QList<Answer> waits = {}, std::function<void(const QJsonObject &)> onCreate = {});
};
