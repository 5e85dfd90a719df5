#include "flyfixture.h"

#include <QJsonArray>

namespace FakeFly {

QString machineToken(const QJsonObject &createBody)
{
    const QJsonArray files
        = createBody.value(QStringLiteral("config")).toObject().value(QStringLiteral("files")).toArray();
    for (const QJsonValue &file : files) {
        if (file.toObject().value(QStringLiteral("guest_path")).toString() == tokenFile)
            return QString::fromUtf8(
                QByteArray::fromBase64(file.toObject().value(QStringLiteral("raw_value")).toString().toLatin1()));
    }
    return {};
}

Answer error(int status, const QString &message)
{
    return Answer { status, { { QStringLiteral("error"), message } } };
}

} // namespace FakeFly

using namespace FakeFly;

FlyBackend::Settings FlyFixture::settings() const
{
    FlyBackend::Settings s;
    s.apiBase = m_api->url();
    s.app = QStringLiteral("worldspeed-test");
    s.region = QStringLiteral("fra");
    s.image = QStringLiteral("registry.fly.io/worldspeed-probe:1");
    s.tokenSecret = QStringLiteral("fly-token");
    s.endpointTemplate = QStringLiteral("ws://127.0.0.1:1/");
    s.retryInitialDelayMs = 10;
    s.retryMaxDelayMs = 40;
    s.bootTimeoutMs = 10'000;
    return s;
}

void FlyFixture::scriptMachine(
    QList<Answer> refusals, QList<Answer> waits, std::function<void(const QJsonObject &)> onCreate)
{
    auto createAnswers = std::make_shared<QList<Answer>>(std::move(refusals));
    auto waitAnswers = std::make_shared<QList<Answer>>(std::move(waits));
    m_api->setHandler([createAnswers, waitAnswers, onCreate](const FakeApiServer::Request &request) -> Answer {
        const QString machines = QStringLiteral("/v1/apps/worldspeed-test/machines");
        if (request.method == "POST" && request.path == machines) {
            if (!createAnswers->isEmpty())
                return createAnswers->takeFirst();
            if (onCreate)
                onCreate(request.json());
            return Answer { 200,
                { { QStringLiteral("id"), QStringLiteral("m1") },
                    { QStringLiteral("instance_id"), QStringLiteral("i1") },
                    { QStringLiteral("state"), QStringLiteral("created") },
                    { QStringLiteral("region"), QStringLiteral("fra") } } };
        }
        if (request.method == "GET" && request.path == machines + QStringLiteral("/m1/wait")) {
            if (!waitAnswers->isEmpty())
                return waitAnswers->takeFirst();
            return Answer { 200, { { QStringLiteral("ok"), true } } };
        }
        if (request.method == "GET" && request.path == machines + QStringLiteral("/m1"))
            return Answer { 200,
                { { QStringLiteral("id"), QStringLiteral("m1") },
                    { QStringLiteral("state"), QStringLiteral("starting") } } };
        if (request.method == "DELETE" && request.path == machines + QStringLiteral("/m1"))
            return Answer { 200, { { QStringLiteral("ok"), true } } };
        return error(404, QStringLiteral("not found"));
    });
}
