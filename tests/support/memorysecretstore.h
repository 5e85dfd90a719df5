#pragma once

#include "fleet/secretstore.h"

#include <QHash>
#include <QMetaObject>
#include <QPointer>

// Secrets in a hash, answering on the event loop like a keychain would; for tests that are not about the
// keychain itself (tst_keychain tests the real one).
class MemorySecretStore final : public SecretStore
{
public:
    QHash<QString, QString> secrets;

    void read(const QString &key, QObject *context, std::function<void(const Result &)> done) override
    {
        const Result result { secrets.contains(key) ? std::optional<QString>(secrets.value(key)) : std::nullopt, {} };
        QMetaObject::invokeMethod(
            context, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
    }
    void write(
        const QString &key, const QString &value, QObject *context, std::function<void(const QString &)> done) override
    {
        secrets.insert(key, value);
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done({}); }, Qt::QueuedConnection);
    }
    void remove(const QString &key, QObject *context, std::function<void(const QString &)> done) override
    {
        secrets.remove(key);
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done({}); }, Qt::QueuedConnection);
    }
};
