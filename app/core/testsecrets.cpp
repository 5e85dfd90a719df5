#include "testsecrets.h"

#include "fleet/secretstore.h"

#include <QMetaObject>
#include <QPointer>

#include <memory>

namespace {

using Done = std::function<void(const TestSettings &, const QString &)>;

// One read after the other: a locked keychain then asks the user once, and the first missing secret is the one named.
struct Reading
{
    TestSettings settings;
    QStringList names;
    SecretStore *store = nullptr;
    QPointer<QObject> context;
    Done done;
};

void finish(const std::shared_ptr<Reading> &reading, const QString &error)
{
    if (!reading->context)
        return;
    QMetaObject::invokeMethod(
        reading->context, [reading, error] { reading->done(reading->settings, error); }, Qt::QueuedConnection);
}

void readNext(const std::shared_ptr<Reading> &reading)
{
    if (reading->names.isEmpty()) {
        finish(reading, QString());
        return;
    }
    const QString name = reading->names.takeFirst();
    reading->store->read(name, reading->context, [reading, name](const SecretStore::Result &result) {
        if (!result.error.isEmpty()) {
            finish(reading,
                QObject::tr("the secret \"%1\" could not be read from the keychain: %2").arg(name, result.error));
        } else if (!result.value) {
            finish(reading, TestSecrets::missingText(name));
        } else {
            reading->settings.secretValues.insert(name, *result.value);
            readNext(reading);
        }
    });
}

} // namespace

QString TestSecrets::missingText(const QString &name)
{
    return QObject::tr("the secret \"%1\" is not in the keychain: save its value there under that name first")
        .arg(name);
}

void TestSecrets::resolve(TestSettings settings, SecretStore *store, QObject *context, Done done)
{
    auto reading = std::make_shared<Reading>();
    reading->names = settings.secretNames();
    reading->settings = std::move(settings);
    reading->store = store;
    reading->context = context;
    reading->done = std::move(done);
    if (!reading->names.isEmpty() && !store) {
        finish(reading,
            QObject::tr("the test needs the secret \"%1\", but no keychain is available").arg(reading->names.first()));
        return;
    }
    readNext(reading);
}
