// ChromeProcess with real Chromium (and, for start-up failures, small scripts in its place): DevTools reaches the
// browser over its pipe only, so after a run neither the browser nor any of its processes listens on a TCP port;
// its death is a crash at once; a start-up that goes wrong says why; the profile sweep keeps a folder a running
// browser uses and removes one whose browser is gone.
#include "browsertestcase.h"
#include "cdpconnection.h"
#include "profilefolders.h"
#include "testwebserver.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/time.h>
#include <unistd.h>

namespace {

// The process and all its descendants, from each process's parent in /proc/<pid>/stat.
QSet<qint64> processTree(qint64 root)
{
    QHash<qint64, QList<qint64>> children;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue; // gone meanwhile
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count from the last ')'.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1)
            children[fields.at(1).toLongLong()].append(pid);
    }
    QSet<qint64> tree { root };
    QList<qint64> todo { root };
    while (!todo.isEmpty()) {
        for (qint64 child : children.value(todo.takeLast())) {
            if (!tree.contains(child)) {
                tree.insert(child);
                todo.append(child);
            }
        }
    }
    return tree;
}

// The inodes of the TCP sockets in LISTEN state (st 0A) in a /proc/…/net/tcp or tcp6 table.
QSet<QByteArray> listeningInodes(const QString &table)
{
    QSet<QByteArray> inodes;
    QFile file(table);
    if (!file.open(QIODevice::ReadOnly))
        return inodes;
    file.readLine(); // the header
    while (!file.atEnd()) {
        const QList<QByteArray> fields = file.readLine().simplified().split(' ');
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
        if (fields.size() > 9 && fields.at(3) == "0A")
            inodes.insert(fields.at(9));
    }
    return inodes;
}

struct ListenReport
{
    QStringList listening; // "pid: socket:[inode]" for every listening socket the tree holds
    QList<qint64> unreadable; // processes whose descriptors we may not read
    int processes = 0;
};

// Which of the tree's processes hold a listening TCP socket. Each process is looked at in its own network
// namespace (a sandboxed renderer has its own), through /proc/<pid>/net/tcp{,6} and /proc/<pid>/fd.
ListenReport listeningSockets(qint64 root)
{
    ListenReport report;
    for (qint64 pid : processTree(root)) {
        ++report.processes;
        const QString proc = QStringLiteral("/proc/%1").arg(pid);
        const QSet<QByteArray> listening
            = listeningInodes(proc + QStringLiteral("/net/tcp")) + listeningInodes(proc + QStringLiteral("/net/tcp6"));
        const QDir fds(proc + QStringLiteral("/fd"));
        if (!fds.isReadable()) {
            report.unreadable << pid;
            continue;
        }
        for (const QString &fd : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
            char target[128];
            const ssize_t length = ::readlink(QFile::encodeName(fds.filePath(fd)).constData(), target, sizeof target);
            const QByteArray link(target, std::max<ssize_t>(length, 0));
            if (link.startsWith("socket:[") && listening.contains(link.mid(8).chopped(1)))
                report.listening << QStringLiteral("%1: %2").arg(pid).arg(QString::fromLatin1(link));
        }
    }
    return report;
}

// A stand-in for Chrome: a shell script that gets the browser's arguments and descriptors.
QString writeScript(const QTemporaryDir &dir, const QString &name, const QByteArray &body)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QByteArray("#!/bin/sh\n" + body + '\n'));
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

// Makes a folder look an hour old to the profile sweep.
bool age(const QString &path)
{
    const qint64 anHourAgo = QDateTime::currentDateTime().addSecs(-3600).toSecsSinceEpoch();
    const struct timeval times[2] = { { anHourAgo, 0 }, { anHourAgo, 0 } };
    return ::utimes(QFile::encodeName(path).constData(), times) == 0;
}

} // namespace

class tst_ChromeProcess : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void noTcpPortAfterARun();
    void theCheckFindsADevToolsPort();
    void killedBrowserIsACrashAtOnce();
    void exitDuringStartUpSaysWhy();
    void killedDuringStartUpSaysBySignal();
    void silentBrowserTimesOut();
    void sweepKeepsAFolderABrowserUses();
    void sweepRemovesAFolderWithAStaleLock();

private:
    TestWebServer m_server;
};

void tst_ChromeProcess::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
#ifndef Q_OS_LINUX
    QSKIP("reads the browser's sockets from /proc");
#endif
}

void tst_ChromeProcess::noTcpPortAfterARun()
{
    // Another local user, or a sidecar, that found a DevTools port could drive the browser: open file:// pages,
    // read other clients' runs. After a real run, with the browser and its helpers still up, there is none.
    LoadScheduler scheduler(LoadScheduler::Options { BrowserTest::chromeOptions(), 2 });
    TestWebServer::Response page;
    page.body = "<!doctype html><p>ports</p><img src=\"/asset?type=png&size=900\">";
    m_server.route(QStringLiteral("/ports"), page);
    const RunResult run = BrowserTest::run(scheduler, m_server.url(QStringLiteral("/ports")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const qint64 browserPid = scheduler.browser()->processId();
    QVERIFY(browserPid > 0);

    const ListenReport report = listeningSockets(browserPid);
    QVERIFY2(report.processes > 1, "expected the browser and its helper processes");
    // The browser process itself is the one that would hold DevTools' port: it must be readable.
    QVERIFY2(!report.unreadable.contains(browserPid), "cannot read the browser's descriptors");
    if (!report.unreadable.isEmpty())
        qInfo("%lld sandboxed processes not inspected", static_cast<long long>(report.unreadable.size()));
    QVERIFY2(report.listening.isEmpty(), qPrintable(report.listening.join(u", ")));
    QVERIFY(!QFileInfo::exists(scheduler.browser()->profileRoot() + QStringLiteral("/profile/DevToolsActivePort")));
}

void tst_ChromeProcess::theCheckFindsADevToolsPort()
{
    // The check above, against a browser asked for the old transport's port as well: it must see that port, or
    // its silence above means nothing.
    ChromeProcess::Options options = BrowserTest::chromeOptions();
    options.extraArguments << QStringLiteral("--remote-debugging-port=0");
    ChromeProcess browser(options);
    QSignalSpy ready(&browser, &ChromeProcess::ready);
    browser.start();
    QVERIFY(ready.wait(60'000));
    QTRY_VERIFY_WITH_TIMEOUT(
        QFileInfo::exists(browser.profileRoot() + QStringLiteral("/profile/DevToolsActivePort")), 10'000);
    const ListenReport report = listeningSockets(browser.processId());
    QVERIFY2(!report.listening.isEmpty(), "the check does not see a DevTools port that is open");
    QVERIFY2(report.listening.constFirst().startsWith(QString::number(browser.processId()) + u':'),
        qPrintable(report.listening.join(u", ")));
}

void tst_ChromeProcess::killedBrowserIsACrashAtOnce()
{
    ChromeProcess browser(BrowserTest::chromeOptions());
    QSignalSpy ready(&browser, &ChromeProcess::ready);
    QSignalSpy crashed(&browser, &ChromeProcess::crashed);
    browser.start();
    QVERIFY(ready.wait(60'000));
    const QString root = browser.profileRoot();
    QElapsedTimer clock;
    clock.start();
    ::kill(static_cast<pid_t>(browser.processId()), SIGKILL);
    QVERIFY(crashed.wait(10'000));
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!browser.isRunning());
    QVERIFY(browser.cdp() == nullptr);
    QTRY_VERIFY(!QFileInfo::exists(root));

    // And it starts again, on a new pipe.
    browser.start();
    QVERIFY(ready.wait(60'000));
    QVERIFY(browser.isRunning());
    QVERIFY(!browser.version().isEmpty());
    browser.stopNow();
}

void tst_ChromeProcess::exitDuringStartUpSaysWhy()
{
    // A browser that exits at once closes its pipe before its end is seen; the report still has its exit code and
    // its last word, not just "the pipe closed".
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ChromeProcess::Options options;
    options.executable = writeScript(dir, QStringLiteral("chrome"), "echo 'unknown flag --frobnicate' >&2\nexit 3");
    ChromeProcess browser(options);
    QSignalSpy failed(&browser, &ChromeProcess::startFailed);
    browser.start();
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.at(0).at(0).toString(),
        QStringLiteral("the browser exited during start-up (code 3): unknown flag --frobnicate"));
    QCOMPARE(browser.state(), ChromeProcess::State::NotRunning);
}

void tst_ChromeProcess::killedDuringStartUpSaysBySignal()
{
    // A browser killed while it starts did not exit with a code, and what it last wrote is not why it ended.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ChromeProcess::Options options;
    options.executable = writeScript(dir, QStringLiteral("chrome"), "echo 'some unrelated warning' >&2\nkill -9 $$");
    ChromeProcess browser(options);
    QSignalSpy failed(&browser, &ChromeProcess::startFailed);
    browser.start();
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("the browser was killed by signal 9 during start-up"));
    QCOMPARE(browser.state(), ChromeProcess::State::NotRunning);
}

void tst_ChromeProcess::silentBrowserTimesOut()
{
    // A program that holds the pipe but never answers: the start-up limit applies to the first answer.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ChromeProcess::Options options;
    options.executable = writeScript(dir, QStringLiteral("chrome"), "exec sleep 60");
    options.startTimeoutMs = 1000;
    ChromeProcess browser(options);
    QSignalSpy failed(&browser, &ChromeProcess::startFailed);
    QElapsedTimer clock;
    clock.start();
    browser.start();
    QVERIFY(failed.wait(10'000));
    QVERIFY(clock.elapsed() >= 900);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("the browser did not answer DevTools within 1 s"));
    QCOMPARE(browser.state(), ChromeProcess::State::NotRunning);
}

void tst_ChromeProcess::sweepKeepsAFolderABrowserUses()
{
    // A running browser's folder that lost its owner.pid (say it could not be written), long enough ago to look like
    // litter: no DevToolsActivePort says a browser is there any more, its SingletonLock does.
    ChromeProcess browser(BrowserTest::chromeOptions());
    QSignalSpy ready(&browser, &ChromeProcess::ready);
    browser.start();
    QVERIFY(ready.wait(60'000));
    const QString root = browser.profileRoot();
    QVERIFY(QFileInfo(root + QStringLiteral("/profile/SingletonLock")).isSymLink());
    QVERIFY(QFile::remove(root + QStringLiteral("/owner.pid")));
    QVERIFY(age(root));
    ProfileFolders::sweepAbandoned(QFileInfo(root).path()); // others' abandoned folders may go too
    QVERIFY2(QFileInfo::exists(root + QStringLiteral("/profile")), "the sweep removed a running browser's profile");
    QVERIFY(browser.isRunning());
    browser.stopNow();
    QVERIFY(!QFileInfo::exists(root));
}

void tst_ChromeProcess::sweepRemovesAFolderWithAStaleLock()
{
    // A browser killed outright leaves its SingletonLock: a lock whose process is gone does not keep litter.
    QProcess gone;
    gone.start(QStringLiteral("/bin/true"));
    QVERIFY(gone.waitForStarted(5000));
    const qint64 gonePid = gone.processId();
    QVERIFY(gone.waitForFinished(5000));
    const QString host = QSysInfo::machineHostName();
    QTemporaryDir parent;
    QVERIFY(parent.isValid());
    const QDir dir(parent.path());
    const auto lockedBy = [&](const QString &name, const QString &owner) {
        QVERIFY(dir.mkpath(name + QStringLiteral("/profile")));
        QVERIFY(QFile::link(owner, dir.filePath(name + QStringLiteral("/profile/SingletonLock"))));
        QVERIFY(age(dir.filePath(name)));
    };
    lockedBy(QStringLiteral("worldspeed-chrome-stale1"), host + u'-' + QString::number(gonePid));
    lockedBy(
        QStringLiteral("worldspeed-chrome-alive1"), host + u'-' + QString::number(QCoreApplication::applicationPid()));
    lockedBy(QStringLiteral("worldspeed-chrome-other1"), QStringLiteral("another-host-1"));
    QCOMPARE(ProfileFolders::sweepAbandoned(parent.path()), 1);
    QCOMPARE(dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot),
        (QStringList { QStringLiteral("worldspeed-chrome-alive1"), QStringLiteral("worldspeed-chrome-other1") }));
}

QTEST_GUILESS_MAIN(tst_ChromeProcess)
#include "tst_chromeprocess.moc"
