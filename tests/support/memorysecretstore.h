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
    QString failure; // when set, every read fails with it, as a locked or unreachable keychain would

    void read(const QString &key, QObject *context, std::function<void(const Result &)> done) override
    {
        Result result;
        if (!failure.isEmpty())
            result.error = failure;
        else if (secrets.contains(key))
            result.value = secrets.value(key);
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
