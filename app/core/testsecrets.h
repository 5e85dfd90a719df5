#pragma once

#include "model/testsettings.h"

#include <QObject>
#include <QString>

#include <functional>

class SecretStore;

// The values of the secrets a test's settings name (basic auth's password, ${secret:NAME} in a header or cookie),
// read from the keychain by name just before the test goes to the fleet, so that the app and worldspeed-cli take a
// password from the same place and never from a command line or a settings file. The values live only in the
// TestSettings handed to `done` (TestSettings::secretValues), which goes to the probes and nowhere else.
namespace TestSecrets {

// Reads every name of settings.secretNames() from `store` and calls `done` with the settings and their values, or
// with the first problem in words a user can act on: a secret that is not in the keychain, a keychain that cannot
// be read, no keychain at all. `done` is always called on the event loop (never inside this call), and not at all
// when `context` is destroyed first.
void resolve(TestSettings settings, SecretStore *store, QObject *context,
    std::function<void(const TestSettings &settings, const QString &error)> done);

// The words for a secret the keychain does not have.
QString missingText(const QString &name);

} // namespace TestSecrets
