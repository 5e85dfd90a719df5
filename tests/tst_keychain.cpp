// KeychainSecretStore against a real Secret Service: gnome-keyring on a private session bus, started and unlocked
// by tests/with-keyring.sh (ctest runs this test through it). Values go in and come out unchanged, a missing
// secret is absent without an error, `secret-tool` sees what the store wrote, answers respect their context, and
// with no secret service at all the store says so in words instead of crashing.

#include "fleet/keychainsecretstore.h"

#include <QCoreApplication>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <qt6keychain/keychain.h>

#include <cstdio>

namespace {

constexpr int answerTimeoutMs = 20000;
const char *const childArgument = "--without-secret-service";
const QString noService = QStringLiteral("no secret service is running (is a keyring daemon running?)");

// A key no earlier run can have left behind.
QString freshKey(const char *what)
{
    return QStringLiteral("tst-keychain-%1-%2")
        .arg(QLatin1String(what))
        .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

// The store's answers, waited for on the event loop.
class Answers
{
public:
    explicit Answers(SecretStore &store)
        : m_store(store)
    { }

    std::optional<SecretStore::Result> read(const QString &key)
    {
        std::optional<SecretStore::Result> answer;
        m_store.read(key, &m_context, [&answer](const SecretStore::Result &result) { answer = result; });
        if (!QTest::qWaitFor([&] { return answer.has_value(); }, answerTimeoutMs))
            return std::nullopt;
        return answer;
    }

    std::optional<QString> write(const QString &key, const QString &value)
    {
        std::optional<QString> answer;
        m_store.write(key, value, &m_context, [&answer](const QString &error) { answer = error; });
        return QTest::qWaitFor([&] { return answer.has_value(); }, answerTimeoutMs) ? answer : std::nullopt;
    }

    std::optional<QString> remove(const QString &key)
    {
        std::optional<QString> answer;
        m_store.remove(key, &m_context, [&answer](const QString &error) { answer = error; });
        return QTest::qWaitFor([&] { return answer.has_value(); }, answerTimeoutMs) ? answer : std::nullopt;
    }

private:
    SecretStore &m_store;
    QObject m_context;
};

// Child mode: the same operations with no secret service reachable; prints one answer per line and exits 0.
int runWithoutSecretService(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    KeychainSecretStore store;
    Answers answers(store);
    const QString key = QStringLiteral("tst-keychain-no-service");
    const auto write = answers.write(key, QStringLiteral("never stored"));
    const auto read = answers.read(key);
    const auto remove = answers.remove(key);
    if (!write || !read || !remove) {
        std::fputs("timeout\n", stdout);
        return 3;
    }
    std::printf("write: %s\n", qUtf8Printable(*write));
    std::printf("read: %s%s\n", qUtf8Printable(read->error), read->value ? " (with a value)" : "");
    std::printf("remove: %s\n", qUtf8Printable(*remove));
    return 0;
}

} // namespace

class TestKeychain final : public QObject
{
    Q_OBJECT

private:
    KeychainSecretStore m_store;

private slots:
    void initTestCase()
    {
        // It writes and deletes entries: never in someone's real keyring.
        if (qEnvironmentVariable("WORLDSPEED_THROWAWAY_KEYRING") != u"1")
            QFAIL("run this test through tests/with-keyring.sh (ctest does), which gives it a throwaway keyring");
        QVERIFY(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
        QCOMPARE(m_store.service(), QStringLiteral("WorldSpeed"));
    }

    void writeReadOverwriteRemove()
    {
        Answers answers(m_store);
        const QString key = freshKey("round-trip");

        QCOMPARE(answers.write(key, QStringLiteral("fo1_first-token")), QString());
        auto read = answers.read(key);
        QVERIFY(read);
        QCOMPARE(read->error, QString());
        QCOMPARE(read->value, std::optional<QString>(QStringLiteral("fo1_first-token")));

        QCOMPARE(answers.write(key, QStringLiteral("fo1_second-token")), QString());
        read = answers.read(key);
        QVERIFY(read);
        QCOMPARE(read->error, QString());
        QCOMPARE(read->value, std::optional<QString>(QStringLiteral("fo1_second-token")));

        QCOMPARE(answers.remove(key), QString());
        read = answers.read(key);
        QVERIFY(read);
        QCOMPARE(read->error, QString());
        QVERIFY(!read->value);

        // Removing what is gone is what the caller wanted: no error.
        QCOMPARE(answers.remove(key), QString());
    }

    void missingSecretIsAbsentWithoutError()
    {
        Answers answers(m_store);
        const auto read = answers.read(freshKey("never-written"));
        QVERIFY(read);
        QCOMPARE(read->error, QString());
        QVERIFY(!read->value);
    }

    void unicodeAndLongValues_data()
    {
        QTest::addColumn<QString>("value");
        QString long4k;
        const QString piece = QStringLiteral("Größe €5 — 東京 😀 \"quoted\" \\ back\tslash ");
        while (long4k.toUtf8().size() < 4096)
            long4k += piece;
        long4k.truncate(4096); // 4096 UTF-16 units, more than 4 KiB in UTF-8; a pair is never split below
        if (long4k.back().isHighSurrogate())
            long4k.chop(1);
        QTest::newRow("unicode") << QStringLiteral("pässwörd-東京-😀");
        QTest::newRow("4 KiB of it") << long4k;
        QTest::newRow("spaces and newlines") << QStringLiteral("  two\nlines  ");
        QTest::newRow("empty") << QString();
    }

    void unicodeAndLongValues()
    {
        QFETCH(QString, value);
        Answers answers(m_store);
        const QString key = freshKey("unicode");
        QCOMPARE(answers.write(key, value), QString());
        const auto read = answers.read(key);
        QVERIFY(read);
        QCOMPARE(read->error, QString());
        QVERIFY(read->value);
        QCOMPARE(read->value->size(), value.size());
        QVERIFY(*read->value == value); // not QCOMPARE: a mismatch would print the secret
        QCOMPARE(answers.remove(key), QString());
    }

    void secretToolSeesTheEntry()
    {
        const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
        if (secretTool.isEmpty())
            QSKIP("secret-tool is not installed (Debian: libsecret-tools)");
        Answers answers(m_store);
        const QString key = freshKey("cross-check");
        const QString value = QStringLiteral("seen-by-secret-tool-ü");
        QCOMPARE(answers.write(key, value), QString());

        // QtKeychain's libsecret schema "org.qt.keychain": user = the key, server = the service, type = plaintext.
        const QStringList lookup = { QStringLiteral("lookup"), QStringLiteral("user"), key, QStringLiteral("server"),
            m_store.service(), QStringLiteral("type"), QStringLiteral("plaintext") };
        QProcess tool;
        tool.start(secretTool, lookup);
        QVERIFY(tool.waitForFinished(answerTimeoutMs));
        QCOMPARE(tool.exitCode(), 0);
        QVERIFY(QString::fromUtf8(tool.readAllStandardOutput()).trimmed() == value);

        QProcess search;
        search.start(secretTool, { QStringLiteral("search"), QStringLiteral("user"), key });
        QVERIFY(search.waitForFinished(answerTimeoutMs));
        // secret-tool prints the attributes on stderr. Its output holds the secret too: checked, never printed.
        const QStringList found
            = QString::fromUtf8(search.readAllStandardOutput() + search.readAllStandardError()).split(u'\n');
        QVERIFY(found.contains(QStringLiteral("schema = org.qt.keychain")));
        QVERIFY(found.contains(QStringLiteral("attribute.server = WorldSpeed")));
        QVERIFY(found.contains(QStringLiteral("attribute.user = ") + key));

        QCOMPARE(answers.remove(key), QString());
        tool.start(secretTool, lookup);
        QVERIFY(tool.waitForFinished(answerTimeoutMs));
        QVERIFY(tool.exitCode() != 0); // gone from the keyring, not only from our view of it
    }

    void servicesAreSeparate()
    {
        KeychainSecretStore other(QStringLiteral("WorldSpeed-other"));
        Answers mine(m_store);
        Answers theirs(other);
        const QString key = freshKey("shared-name");
        QCOMPARE(mine.write(key, QStringLiteral("mine")), QString());
        const auto read = theirs.read(key);
        QVERIFY(read);
        QCOMPARE(read->error, QString());
        QVERIFY(!read->value);
        QCOMPARE(mine.remove(key), QString());
    }

    void answersArriveLaterAndRespectTheirContext()
    {
        const QString key = freshKey("context");
        Answers answers(m_store);
        QCOMPARE(answers.write(key, QStringLiteral("v")), QString());

        // Never from inside the call.
        bool answered = false;
        QObject context;
        m_store.read(key, &context, [&answered](const SecretStore::Result &) { answered = true; });
        QVERIFY(!answered);
        QTRY_VERIFY_WITH_TIMEOUT(answered, answerTimeoutMs);

        // A context destroyed before the answer: the callback is dropped.
        bool dropped = true;
        auto *doomed = new QObject;
        m_store.read(key, doomed, [&dropped](const SecretStore::Result &) { dropped = false; });
        delete doomed;
        // The store works through jobs in order, so once a later read answered, the earlier one has finished too.
        QVERIFY(answers.read(key));
        QCoreApplication::processEvents();
        QVERIFY(dropped);

        // No context: answered all the same.
        std::optional<QString> removed;
        m_store.remove(key, nullptr, [&removed](const QString &error) { removed = error; });
        QTRY_VERIFY_WITH_TIMEOUT(removed.has_value(), answerTimeoutMs);
        QCOMPARE(*removed, QString());
    }

    void aKeyNeedsAName()
    {
        Answers answers(m_store);
        QObject context;
        std::optional<QString> error;
        m_store.write(QString(), QStringLiteral("v"), &context, [&error](const QString &e) { error = e; });
        QVERIFY(!error); // not from inside the call, even for a refusal
        QTRY_VERIFY(error.has_value());
        QCOMPARE(*error, QStringLiteral("a secret needs a name"));
        const auto read = answers.read(QString());
        QVERIFY(read);
        QCOMPARE(read->error, QStringLiteral("a secret needs a name"));
        QCOMPARE(answers.remove(QString(257, u'k')), QStringLiteral("a secret's name is longer than 256 characters"));
    }

    void errorsInWords_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("errorString");
        QTest::addColumn<QString>("words");
        QTest::newRow("locked (libsecret)") << int(QKeychain::AccessDenied) << QStringLiteral("Cannot unlock")
                                            << QStringLiteral("the keychain is locked");
        QTest::newRow("locked (message)")
            << int(QKeychain::OtherError) << QStringLiteral("Cannot create an item in a locked collection")
            << QStringLiteral("the keychain is locked");
        QTest::newRow("no backend") << int(QKeychain::NoBackendAvailable) << QString() << noService;
        QTest::newRow("no session bus") << int(QKeychain::OtherError)
                                        << QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY") << noService;
        QTest::newRow("bus gone") << int(QKeychain::OtherError)
                                  << QStringLiteral("Could not connect: No such file or directory") << noService;
        QTest::newRow("no keyring daemon")
            << int(QKeychain::OtherError)
            << QStringLiteral("The name org.freedesktop.secrets was not provided by any .service files") << noService;
        QTest::newRow("no default collection")
            << int(QKeychain::OtherError)
            << QStringLiteral("Object does not exist at path \u201c/org/freedesktop/secrets/collection/login\u201d")
            << QStringLiteral("the keyring has no default collection to keep secrets in: create one (named \"login\") "
                              "in your desktop's passwords and keys app, then save again");
        QTest::newRow("anything else") << int(QKeychain::OtherError) << QStringLiteral("Disk quota exceeded")
                                       << QStringLiteral("Disk quota exceeded");
        QTest::newRow("nothing said") << int(QKeychain::OtherError) << QString()
                                      << QStringLiteral("the keychain failed (error 7)");
    }

    void errorsInWords()
    {
        QFETCH(int, code);
        QFETCH(QString, errorString);
        QFETCH(QString, words);
        QCOMPARE(KeychainSecretStore::describeError(code, errorString), words);
    }

    void withoutASecretService_data()
    {
        QTest::addColumn<QString>("busAddress"); // empty: no bus at all
        QTest::newRow("bus address pointing nowhere") << QStringLiteral("unix:path=%1/no-such-bus");
        QTest::newRow("no session bus") << QString();
    }

    void withoutASecretService()
    {
        QFETCH(QString, busAddress);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("DISPLAY"));
        environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
        if (busAddress.isEmpty())
            environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        else
            environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress.arg(dir.path()));

        QProcess child;
        child.setProcessEnvironment(environment);
        child.start(QCoreApplication::applicationFilePath(), { QString::fromLatin1(childArgument) });
        QVERIFY(child.waitForFinished(3 * answerTimeoutMs + 5000));
        const QString output = QString::fromUtf8(child.readAllStandardOutput());
        const QString diagnostics = QString::fromUtf8(child.readAllStandardError());
        QVERIFY2(child.exitStatus() == QProcess::NormalExit, qPrintable(diagnostics));
        QVERIFY2(child.exitCode() == 0, qPrintable(output + diagnostics));
        QCOMPARE(output, QStringLiteral("write: %1\nread: %1\nremove: %1\n").arg(noService));
    }
};

int main(int argc, char **argv)
{
    if (argc > 1 && qstrcmp(argv[1], childArgument) == 0)
        return runWithoutSecretService(argc, argv);
    QCoreApplication app(argc, argv);
    TestKeychain test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychain.moc"
