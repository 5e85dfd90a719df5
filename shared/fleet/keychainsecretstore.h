#pragma once

#include "secretstore.h"

#include <QString>

// SecretStore over the OS keychain through QtKeychain: the Secret Service (gnome-keyring, KWallet) on Linux, the
// Keychain on macOS, the Credential Store on Windows. One keychain entry per secret, under `service` (the
// application's name in the keychain) with the secret's key as the entry's name.
//
// Each call starts one self-deleting QtKeychain job; its answer arrives on the event loop and is dropped if
// `context` is destroyed first (a null context means the caller accepts the answer whenever it comes). Jobs hold
// nothing of the store, so a store may be destroyed while its jobs are still running.
//
// Errors come in words a user can act on: "the keychain is locked", "no secret service is running (is a keyring
// daemon running?)", otherwise QtKeychain's own message. A secret that does not exist is not an error: read()
// answers with no value and no error, remove() succeeds. Values are never logged.
class KeychainSecretStore final : public SecretStore
{
public:
    static inline const QString defaultService = QStringLiteral("WorldSpeed");

    explicit KeychainSecretStore(QString service = defaultService);

    QString service() const { return m_service; }

    void read(const QString &key, QObject *context, std::function<void(const Result &)> done) override;
    void write(const QString &key, const QString &value, QObject *context,
        std::function<void(const QString &error)> done) override;
    void remove(const QString &key, QObject *context, std::function<void(const QString &error)> done) override;

    // The words for a failed job, from QtKeychain's error code and message (exposed for tests).
    static QString describeError(int keychainError, const QString &errorString);

private:
    QString m_service;
};
