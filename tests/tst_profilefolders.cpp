// ProfileFolders: the sweep of abandoned browser profiles under a shared temporary folder, and their removal, on
// a real file system with what another local user could plant there: a FIFO for owner.pid, symbolic links, a
// folder of someone else's, read-only folders.
#include "profilefolders.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <future>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

class tst_ProfileFolders : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void fifoForOwnerDoesNotBlock();
    void symlinksAreNeverFollowed();
    void anotherUsersFolderIsLeftAlone();
    void readOnlyFoldersAreRemoved();
    void lingeringHelpersAreEndedBeforeRemoval();
    void anUnrelatedGroupIsLeftAlone();
    void aHelperWhoseMainThreadEndedIsEndedToo();

private:
    qint64 gonePid();
    // A stand-in for a browser's helpers: a group leader of its own (as ChromeProcess starts the browser) whose
    // child keeps recreating a file in the profile, as Chrome's network service does for a moment after the browser.
    QProcess *startWriterGroup(const QString &folder, const QString &tmpDir);
    void makeFolder(const QString &name, const QByteArray &ownerPid);

    std::unique_ptr<QTemporaryDir> m_parent;
    QDir m_dir;
};

void tst_ProfileFolders::init()
{
    m_parent = std::make_unique<QTemporaryDir>();
    QVERIFY(m_parent->isValid());
    m_dir = QDir(m_parent->path());
}

qint64 tst_ProfileFolders::gonePid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

void tst_ProfileFolders::makeFolder(const QString &name, const QByteArray &ownerPid)
{
    QVERIFY(m_dir.mkpath(name + QStringLiteral("/profile/Default")));
    QFile owner(m_dir.filePath(name + u'/' + ProfileFolders::ownerFileName()));
    QVERIFY(owner.open(QIODevice::WriteOnly));
    owner.write(ownerPid);
}

void tst_ProfileFolders::fifoForOwnerDoesNotBlock()
{
    // A FIFO as owner.pid: opening it to read would wait for a writer, for ever, in the probe's event loop.
    QVERIFY(m_dir.mkpath(QStringLiteral("worldspeed-chrome-fifo01")));
    const QByteArray fifo = QFile::encodeName(m_dir.filePath(QStringLiteral("worldspeed-chrome-fifo01/owner.pid")));
    QVERIFY(::mkfifo(fifo.constData(), 0600) == 0);
    makeFolder(QStringLiteral("worldspeed-chrome-gone01"), QByteArray::number(gonePid()));

    auto sweep
        = std::async(std::launch::async, [path = m_parent->path()] { return ProfileFolders::sweepAbandoned(path); });
    if (sweep.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        // Let it go (a writer ends its wait), so the test fails instead of hanging.
        const int writer = ::open(fifo.constData(), O_WRONLY | O_NONBLOCK);
        sweep.wait();
        ::close(writer);
        QFAIL("the sweep blocked on a FIFO named owner.pid");
    }
    QCOMPARE(sweep.get(), 1);
    QVERIFY(m_dir.exists(QStringLiteral("worldspeed-chrome-fifo01"))); // not a probe's: left as it is
    QVERIFY(!m_dir.exists(QStringLiteral("worldspeed-chrome-gone01")));
}

void tst_ProfileFolders::symlinksAreNeverFollowed()
{
    // Outside the sweep's reach: what links planted in a folder it removes point to.
    QTemporaryDir outside;
    QVERIFY(outside.isValid());
    const QDir elsewhere(outside.path());
    QVERIFY(elsewhere.mkpath(QStringLiteral("precious")));
    QFile precious(elsewhere.filePath(QStringLiteral("precious/file")));
    QVERIFY(precious.open(QIODevice::WriteOnly));
    precious.close();

    makeFolder(QStringLiteral("worldspeed-chrome-links1"), QByteArray::number(gonePid()));
    QVERIFY(QFile::link(elsewhere.filePath(QStringLiteral("precious")),
        m_dir.filePath(QStringLiteral("worldspeed-chrome-links1/profile/Default/dir-link"))));
    QVERIFY(QFile::link(elsewhere.filePath(QStringLiteral("precious/file")),
        m_dir.filePath(QStringLiteral("worldspeed-chrome-links1/profile/file-link"))));
    // A profile folder that is itself a link, to a folder that looks abandoned.
    QVERIFY(elsewhere.mkpath(QStringLiteral("target")));
    QFile owner(elsewhere.filePath(QStringLiteral("target/owner.pid")));
    QVERIFY(owner.open(QIODevice::WriteOnly));
    owner.write(QByteArray::number(gonePid()));
    owner.close();
    QVERIFY(QFile::link(
        elsewhere.filePath(QStringLiteral("target")), m_dir.filePath(QStringLiteral("worldspeed-chrome-link02"))));
    // owner.pid as a link to a file that names a dead process.
    makeFolder(QStringLiteral("worldspeed-chrome-owner3"), {});
    QVERIFY(QFile::remove(m_dir.filePath(QStringLiteral("worldspeed-chrome-owner3/owner.pid"))));
    QVERIFY(QFile::link(elsewhere.filePath(QStringLiteral("target/owner.pid")),
        m_dir.filePath(QStringLiteral("worldspeed-chrome-owner3/owner.pid"))));

    QCOMPARE(ProfileFolders::sweepAbandoned(m_parent->path()), 1);
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("worldspeed-chrome-links1"))));
    QVERIFY(QFileInfo::exists(elsewhere.filePath(QStringLiteral("precious/file"))));
    QVERIFY(QFileInfo::exists(elsewhere.filePath(QStringLiteral("target/owner.pid"))));
    QVERIFY(QFileInfo(m_dir.filePath(QStringLiteral("worldspeed-chrome-link02"))).isSymLink());
    QVERIFY(m_dir.exists(QStringLiteral("worldspeed-chrome-owner3")));

    // Removing a link by name removes nothing.
    QVERIFY(!ProfileFolders::removeTree(m_dir.filePath(QStringLiteral("worldspeed-chrome-link02"))));
    QVERIFY(QFileInfo::exists(elsewhere.filePath(QStringLiteral("target/owner.pid"))));
}

void tst_ProfileFolders::anotherUsersFolderIsLeftAlone()
{
    if (::geteuid() != 0)
        QSKIP("giving a folder to another user needs root");
    makeFolder(QStringLiteral("worldspeed-chrome-other1"), QByteArray::number(gonePid()));
    const QByteArray path = QFile::encodeName(m_dir.filePath(QStringLiteral("worldspeed-chrome-other1")));
    QVERIFY(::chown(path.constData(), 65534, 65534) == 0);
    makeFolder(QStringLiteral("worldspeed-chrome-mine01"), QByteArray::number(gonePid()));
    QCOMPARE(ProfileFolders::sweepAbandoned(m_parent->path()), 1);
    QVERIFY(m_dir.exists(QStringLiteral("worldspeed-chrome-other1")));
    QVERIFY(!m_dir.exists(QStringLiteral("worldspeed-chrome-mine01")));
}

void tst_ProfileFolders::readOnlyFoldersAreRemoved()
{
    // Chrome leaves some folders read-only; a probe killed outright leaves them to the sweep. Root may delete in a
    // read-only folder anyway, so the sweep runs as an ordinary user then, in a child process.
    makeFolder(QStringLiteral("worldspeed-chrome-ronly1"), QByteArray::number(gonePid()));
    const QString folder = m_dir.filePath(QStringLiteral("worldspeed-chrome-ronly1"));
    QVERIFY(QDir(folder).mkpath(QStringLiteral("profile/Default/Locked/Inner")));
    QFile file(folder + QStringLiteral("/profile/Default/Locked/Inner/data"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    for (const char *path :
        { "/profile/Default/Locked/Inner/data", "/profile/Default/Locked/Inner", "/profile/Default/Locked" })
        QVERIFY(::chmod(QFile::encodeName(folder + QString::fromLatin1(path)).constData(), 0500) == 0);

    const bool root = ::geteuid() == 0;
    if (!root) {
        QCOMPARE(ProfileFolders::sweepAbandoned(m_parent->path()), 1);
    } else {
        constexpr uid_t nobody = 65534;
        QVERIFY(::chmod(QFile::encodeName(m_parent->path()).constData(), 0777) == 0);
        const QByteArray chown = "chown -R 65534:65534 " + QFile::encodeName(folder);
        QVERIFY(::system(chown.constData()) == 0);
        const pid_t child = ::fork();
        if (child == 0) {
            if (::setgid(nobody) != 0 || ::setuid(nobody) != 0)
                ::_exit(100);
            ::_exit(ProfileFolders::sweepAbandoned(m_parent->path()));
        }
        int status = 0;
        QVERIFY(::waitpid(child, &status, 0) == child);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 1);
    }
    QVERIFY(!QFileInfo::exists(folder));
}

QProcess *tst_ProfileFolders::startWriterGroup(const QString &folder, const QString &tmpDir)
{
    auto *group = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TMPDIR"), tmpDir);
    group->setProcessEnvironment(environment);
    group->setChildProcessModifier([] { ::setpgid(0, 0); });
    const QString script = QStringLiteral("while :; do mkdir -p '%1/profile/Default' && : > "
                                          "'%1/profile/Default/Reporting and NEL'; sleep 0.01; done & wait")
                               .arg(folder);
    group->start(QStringLiteral("/bin/sh"), { QStringLiteral("-c"), script });
    return group;
}

void tst_ProfileFolders::lingeringHelpersAreEndedBeforeRemoval()
{
    const QString name = QStringLiteral("worldspeed-chrome-busy01");
    makeFolder(name, QByteArray::number(gonePid()));
    const QString folder = m_dir.filePath(name);
    QProcess *group = startWriterGroup(folder, folder + QStringLiteral("/tmp"));
    QVERIFY(group->waitForStarted());
    ProfileFolders::recordBrowserGroup(folder, group->processId());
    QTRY_VERIFY(QFileInfo::exists(folder + QStringLiteral("/profile/Default/Reporting and NEL")));

    // The owner is gone; its browser's helpers are not, and write into the folder while it is removed.
    QCOMPARE(ProfileFolders::sweepAbandoned(m_parent->path()), 1);
    QVERIFY(group->waitForFinished(5'000));
    QCOMPARE(group->exitStatus(), QProcess::CrashExit); // SIGKILLed
    // Nothing comes back once they are gone.
    QTest::qWait(300);
    QVERIFY(!QFileInfo::exists(folder));
}

void tst_ProfileFolders::anUnrelatedGroupIsLeftAlone()
{
    // A folder naming a group whose processes are not this profile's browser (another program of ours that got
    // the number): their environment does not name the folder, so they live on.
    const QString name = QStringLiteral("worldspeed-chrome-other1");
    makeFolder(name, QByteArray::number(gonePid()));
    const QString folder = m_dir.filePath(name);
    QTemporaryDir elsewhere;
    QProcess *group = startWriterGroup(elsewhere.path(), elsewhere.path());
    QVERIFY(group->waitForStarted());
    ProfileFolders::recordBrowserGroup(folder, group->processId());

    QCOMPARE(ProfileFolders::sweepAbandoned(m_parent->path()), 1);
    QVERIFY(!group->waitForFinished(300));
    QCOMPARE(group->state(), QProcess::Running);
    ::kill(-static_cast<pid_t>(group->processId()), SIGKILL);
    QVERIFY(group->waitForFinished(5'000));
}

namespace {

// The argument that makes this executable the stand-in of aHelperWhoseMainThreadEndedIsEndedToo.
constexpr char mainThreadExitsArgument[] = "--main-thread-exits-writing-into";

// Keeps recreating a file in the profile, as the file thread of Chrome's network service does while the process
// shuts down.
void *keepWriting(void *folder)
{
    const QByteArray profile = QByteArray(static_cast<const char *>(folder)) + "/profile";
    const QByteArray inside = profile + "/Default";
    const QByteArray file = inside + "/Network Persistent State";
    for (;;) {
        ::mkdir(profile.constData(), 0700);
        ::mkdir(inside.constData(), 0700);
        const int fd = ::open(file.constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            ::close(fd);
        ::usleep(10'000);
    }
    return nullptr;
}

} // namespace

// Chrome's services shutting down: the main thread has exited, so the process shows as a zombie ("Z"), while
// another thread still writes into the profile. The process is not gone; unless it is ended before the folder is
// removed, the folder comes back (tst_measurecommand saw "Network Persistent State" reappear after a sweep).
void tst_ProfileFolders::aHelperWhoseMainThreadEndedIsEndedToo()
{
    const QString name = QStringLiteral("worldspeed-chrome-zombie");
    makeFolder(name, QByteArray::number(gonePid()));
    const QString folder = m_dir.filePath(name);
    const QString written = folder + QStringLiteral("/profile/Default/Network Persistent State");
    QVERIFY(QFile::remove(written) || !QFileInfo::exists(written));
    auto *helper = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TMPDIR"), folder + QStringLiteral("/tmp"));
    helper->setProcessEnvironment(environment);
    helper->setChildProcessModifier([] { ::setpgid(0, 0); });
    helper->start(QCoreApplication::applicationFilePath(), { QString::fromLatin1(mainThreadExitsArgument), folder });
    QVERIFY(helper->waitForStarted());
    ProfileFolders::recordBrowserGroup(folder, helper->processId());
    QTRY_VERIFY(QFileInfo::exists(written));
    const auto state = [&] {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(helper->processId()));
        if (!stat.open(QIODevice::ReadOnly))
            return QByteArray();
        const QByteArray line = stat.readAll();
        return line.mid(line.lastIndexOf(')') + 2, 1);
    };
    QTRY_COMPARE(state(), QByteArray("Z"));
    QCOMPARE(helper->state(), QProcess::Running);

    QCOMPARE(ProfileFolders::sweepAbandoned(m_parent->path()), 1);
    QVERIFY(helper->waitForFinished(5'000));
    QCOMPARE(helper->exitStatus(), QProcess::CrashExit); // SIGKILLed
    QTest::qWait(300);
    QVERIFY(!QFileInfo::exists(folder));
}

int main(int argc, char *argv[])
{
    if (argc == 3 && qstrcmp(argv[1], mainThreadExitsArgument) == 0) {
        pthread_t writer {};
        if (::pthread_create(&writer, nullptr, keepWriting, argv[2]) != 0)
            return 1;
        ::pthread_exit(nullptr); // the process lives on in its writer
    }
    QCoreApplication app(argc, argv);
    tst_ProfileFolders test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_profilefolders.moc"
