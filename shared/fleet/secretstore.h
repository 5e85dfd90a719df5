#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

// Where tokens live: the OS keychain in the app (KeychainSecretStore), never a settings or config file. A fleet
// config names a secret by key ("fly-token", "probe-fra"); the store holds its value. Answers are asynchronous
// (a keychain may ask the user to unlock it) and arrive on the event loop, never inside the call.
class SecretStore
{
public:
    struct Result
    {
        std::optional<QString> value; // absent: no such secret, or an error
        QString error; // empty unless the store itself failed (locked, no service, …)
    };

    virtual ~SecretStore() = default;

    // `done` is not called if `context` is destroyed first.
    virtual void read(const QString &key, QObject *context, std::function<void(const Result &)> done) = 0;
    virtual void write(
        const QString &key, const QString &value, QObject *context, std::function<void(const QString &error)> done)
        = 0;
    virtual void remove(const QString &key, QObject *context, std::function<void(const QString &error)> done) = 0;
};
