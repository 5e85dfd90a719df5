#pragma once

#include "fleet/fleetconfig.h"
#include "fleet/probeclient.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

class Backend;
class ConfiguredFleet;
class SecretStore;

// "Test connection" for one region as a form holds it: builds the region's backend exactly as the fleet would,
// asks it for one runner (a local process, the user's probe, a Fly machine, a pod), greets the probe over the
// protocol and reports its software, version and browser, then stops the runner. A token typed in the form but
// not saved yet is used for this test only; other tokens come from `secrets`.
//
// finished() comes once, on the event loop, never from inside start().
class ConnectionTest final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionTest)

public:
    struct Outcome
    {
        bool ok = false;
        QString text; // "worldspeed-probe 0.1.0, Chromium 120.0…, 2 runs at once" or why it failed
        HelloMessage hello; // when ok
    };

    // `secrets` is not owned and must outlive the test.
    explicit ConnectionTest(SecretStore *secrets, QObject *parent = nullptr);
    ~ConnectionTest() override;

    // `typedTokens`: keychain key → value, used instead of the keychain's for this test.
    void start(const RegionConfig &region, const QHash<QString, QString> &typedTokens = {});
    bool isRunning() const { return m_running; }

    // The words for a probe's hello (exposed for tests).
    static QString describe(const HelloMessage &hello);

signals:
    void progress(const QString &text);
    void finished(const ConnectionTest::Outcome &outcome);

private:
    void finish(bool ok, const QString &text, const HelloMessage &hello = {});
    void onBooted(const QString &runnerId, const ProbeClient::Endpoint &endpoint);

    SecretStore *m_secrets;
    std::unique_ptr<SecretStore> m_overlay; // typed tokens over m_secrets; outlives the fleet reading it
    std::unique_ptr<ConfiguredFleet> m_fleet;
    QPointer<Backend> m_backend;
    ProbeClient *m_client = nullptr;
    QString m_runnerId;
    bool m_running = false;
    bool m_booted = false;
    int m_attempt = 0;
};
