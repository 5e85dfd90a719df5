#include "keychainsecretstore.h"

#include <QLoggingCategory>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace {

Q_LOGGING_CATEGORY(lcKeychain, "worldspeed.keychain")

const QString lockedMessage = QStringLiteral("the keychain is locked");
const QString noServiceMessage = QStringLiteral("no secret service is running (is a keyring daemon running?)");

// A key names the keychain entry; an empty one would address nothing (or, on some backends, everything).
constexpr qsizetype maxKeyLength = 256;

QString keyProblem(const QString &key)
{
    if (key.isEmpty())
        return QStringLiteral("a secret needs a name");
    if (key.size() > maxKeyLength)
        return QStringLiteral("a secret's name is longer than %1 characters").arg(maxKeyLength);
    return {};
}

// Answers on the next turn of the event loop, guarded by `context` like a job's answer would be.
void answerLater(QObject *context, std::function<void()> answer)
{
    if (context)
        QTimer::singleShot(0, context, std::move(answer));
    else
        QTimer::singleShot(0, std::move(answer));
}

// Connects a job's end to `handler`, guarded by `context` when there is one. The job deletes itself after
// emitting finished() (autoDelete), so it is its own owner and the handler must not keep it.
template<typename Handler> void whenFinished(QKeychain::Job *job, QObject *context, Handler handler)
{
    job->setAutoDelete(true);
    QObject *receiver = context ? context : job;
    QObject::connect(job, &QKeychain::Job::finished, receiver, std::move(handler));
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{ }

QString KeychainSecretStore::describeError(int keychainError, const QString &errorString)
{
    switch (static_cast<QKeychain::Error>(keychainError)) {
    case QKeychain::NoError:
        return {};
    case QKeychain::AccessDenied:
        // libsecret reports a locked collection (SECRET_ERROR_IS_LOCKED) as AccessDenied.
        return lockedMessage;
    case QKeychain::AccessDeniedByUser:
        return QStringLiteral("access to the keychain was refused");
    case QKeychain::NoBackendAvailable:
        return noServiceMessage;
    case QKeychain::EntryNotFound:
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        break;
    }
    // With libsecret, a missing or unreachable session bus and a bus without org.freedesktop.secrets both come
    // back as OtherError carrying GLib's or D-Bus's message; these are the ones that mean "nobody is there".
    static const QStringList noServiceSigns = {
        QStringLiteral("autolaunch D-Bus"),
        QStringLiteral("Could not connect"),
        QStringLiteral("org.freedesktop.secrets"),
        QStringLiteral("ServiceUnknown"),
        QStringLiteral("not provided by any .service files"),
        QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
        QStringLiteral("Cannot spawn a message bus"),
    };
    for (const QString &sign : noServiceSigns) {
        if (errorString.contains(sign, Qt::CaseInsensitive))
            return noServiceMessage;
    }
    if (errorString.contains(QStringLiteral("locked"), Qt::CaseInsensitive))
        return lockedMessage;
    // The keyring runs but has no default collection (a fresh account, or "login" deleted): D-Bus says so as
    // "Object does not exist at path /org/freedesktop/secrets/collection/login", which tells a person nothing.
    if (errorString.contains(QStringLiteral("/org/freedesktop/secrets/collection"))
        && errorString.contains(QStringLiteral("does not exist"), Qt::CaseInsensitive))
        return QStringLiteral("the keyring has no default collection to keep secrets in: create one (named \"login\")"
                              " in your desktop's passwords and keys app, then save again");
    if (errorString.isEmpty())
        return QStringLiteral("the keychain failed (error %1)").arg(keychainError);
    return errorString;
}

void KeychainSecretStore::read(const QString &key, QObject *context, std::function<void(const Result &)> done)
{
    if (const QString problem = keyProblem(key); !problem.isEmpty()) {
        answerLater(context, [done = std::move(done), problem] { done(Result { std::nullopt, problem }); });
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    whenFinished(job, context, [done = std::move(done), key](QKeychain::Job *finished) {
        const auto *readJob = static_cast<QKeychain::ReadPasswordJob *>(finished);
        const QKeychain::Error error = readJob->error();
        if (error == QKeychain::NoError) {
            done(Result { readJob->textData(), {} });
            return;
        }
        if (error == QKeychain::EntryNotFound) {
            done(Result { std::nullopt, {} });
            return;
        }
        qCInfo(lcKeychain) << "reading" << key << "failed:" << error << readJob->errorString();
        done(Result { std::nullopt, describeError(error, readJob->errorString()) });
    });
    job->start();
}

void KeychainSecretStore::write(
    const QString &key, const QString &value, QObject *context, std::function<void(const QString &error)> done)
{
    if (const QString problem = keyProblem(key); !problem.isEmpty()) {
        answerLater(context, [done = std::move(done), problem] { done(problem); });
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setTextData(value);
    whenFinished(job, context, [done = std::move(done), key](QKeychain::Job *finished) {
        if (finished->error() == QKeychain::NoError) {
            done({});
            return;
        }
        qCInfo(lcKeychain) << "writing" << key << "failed:" << finished->error() << finished->errorString();
        done(describeError(finished->error(), finished->errorString()));
    });
    job->start();
}

void KeychainSecretStore::remove(const QString &key, QObject *context, std::function<void(const QString &error)> done)
{
    if (const QString problem = keyProblem(key); !problem.isEmpty()) {
        answerLater(context, [done = std::move(done), problem] { done(problem); });
        return;
    }
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    whenFinished(job, context, [done = std::move(done), key](QKeychain::Job *finished) {
        // Removing what is not there has the outcome the caller wanted.
        if (finished->error() == QKeychain::NoError || finished->error() == QKeychain::EntryNotFound) {
            done({});
            return;
        }
        qCInfo(lcKeychain) << "removing" << key << "failed:" << finished->error() << finished->errorString();
        done(describeError(finished->error(), finished->errorString()));
    });
    job->start();
}
