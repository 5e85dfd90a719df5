// CdpPipe: the DevTools pipe's two channels between real descriptors, with a CdpPipe or a real child process on
// the browser's side: messages both ways, ones larger than a socket holds, the other end going away (with no
// SIGPIPE), a message over the cap, and a child that gets exactly descriptors 3 and 4.
#include "cdppipe.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr qsizetype cap = 64 * 1024 * 1024;

// The inode of a socket descriptor, as /proc/<pid>/fd names it: "socket:[inode]".
QString socketName(int fd)
{
    struct stat info
    { };
    if (::fstat(fd, &info) != 0)
        return {};
    return QStringLiteral("socket:[%1]").arg(info.st_ino);
}

// What a descriptor of another process is, as its /proc link says ("socket:[inode]", "pipe:[inode]", a path).
QString linkTarget(const QString &link)
{
    char target[256];
    const ssize_t length = ::readlink(QFile::encodeName(link).constData(), target, sizeof target);
    return length > 0 ? QString::fromLocal8Bit(target, length) : QString();
}

} // namespace

class tst_CdpPipe : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void messagesBothWays();
    void moreThanTheSocketHolds();
    void peerGoneIsTheEnd();
    void writingToAGoneReaderRaisesNoSignal();
    void oversizedMessageEndsThePipe();
    void flushWithoutTheEventLoop();
    void childGetsDescriptorsThreeAndFourOnly();

private:
    CdpPipe::Channels m_channels;
};

void tst_CdpPipe::init()
{
    QString error;
    const std::optional<CdpPipe::Channels> channels = CdpPipe::createChannels(&error);
    QVERIFY2(channels, qPrintable(error));
    m_channels = *channels;
    for (int fd : { m_channels.ourRead, m_channels.ourWrite, m_channels.childRead, m_channels.childWrite })
        QVERIFY2(::fcntl(fd, F_GETFD) & FD_CLOEXEC, "no other child may inherit a DevTools descriptor");
}

void tst_CdpPipe::cleanup()
{
    // Whatever a test did not hand to a CdpPipe (which closes its own).
    for (int *fd : { &m_channels.ourRead, &m_channels.ourWrite, &m_channels.childRead, &m_channels.childWrite })
        CdpPipe::closeDescriptor(*fd);
}

void tst_CdpPipe::messagesBothWays()
{
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, cap);
    CdpPipe browser(m_channels.childRead, m_channels.childWrite, cap);
    m_channels = {};
    QSignalSpy toBrowser(&browser, &CdpPipe::messageReceived);
    QSignalSpy toProbe(&probe, &CdpPipe::messageReceived);
    probe.send(R"({"id":1,"method":"Browser.getVersion"})");
    probe.send(R"({"id":2,"method":"Target.getTargets"})");
    QTRY_COMPARE(toBrowser.size(), 2);
    QCOMPARE(toBrowser.at(0).at(0).toByteArray(), QByteArray(R"({"id":1,"method":"Browser.getVersion"})"));
    QCOMPARE(toBrowser.at(1).at(0).toByteArray(), QByteArray(R"({"id":2,"method":"Target.getTargets"})"));
    browser.send(R"({"id":1,"result":{}})");
    QVERIFY(toProbe.wait(5000));
    QCOMPARE(toProbe.at(0).at(0).toByteArray(), QByteArray(R"({"id":1,"result":{}})"));
    QCOMPARE(probe.bytesToWrite(), 0);
}

void tst_CdpPipe::moreThanTheSocketHolds()
{
    // 8 MiB is far more than a socket buffers: the writer must keep the rest and go on when there is room,
    // the reader must join the pieces, and what follows must arrive after it, whole and in order.
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, cap);
    CdpPipe browser(m_channels.childRead, m_channels.childWrite, cap);
    m_channels = {};
    QByteArray screenshot = R"({"id":3,"result":{"data":")";
    for (int i = 0; screenshot.size() < 8 * 1024 * 1024; ++i)
        screenshot += QByteArray::number(i % 10);
    screenshot += R"("}})";
    QList<QByteArray> received;
    connect(&probe, &CdpPipe::messageReceived, this, [&](const QByteArray &m) { received << m; });
    browser.send(screenshot);
    browser.send(R"({"method":"Page.loadEventFired"})");
    QTest::qWait(0);
    QVERIFY2(browser.bytesToWrite() > 0, "the socket took 8 MiB at once: the test proves nothing");
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 20'000);
    QVERIFY(received.at(0) == screenshot); // QCOMPARE would print 8 MiB on failure
    QCOMPARE(received.at(1), QByteArray(R"({"method":"Page.loadEventFired"})"));
    QCOMPARE(browser.bytesToWrite(), 0);
}

void tst_CdpPipe::peerGoneIsTheEnd()
{
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, cap);
    m_channels.ourRead = m_channels.ourWrite = -1;
    QSignalSpy closed(&probe, &CdpPipe::closed);
    // The browser's last words, then it dies: what it wrote is still delivered, then the end.
    const QByteArray last = QByteArray(R"({"method":"Inspector.detached"})") + '\0';
    QCOMPARE(::write(m_channels.childWrite, last.constData(), static_cast<size_t>(last.size())), last.size());
    QSignalSpy received(&probe, &CdpPipe::messageReceived);
    CdpPipe::closeDescriptor(m_channels.childRead);
    CdpPipe::closeDescriptor(m_channels.childWrite);
    QVERIFY(closed.wait(5000));
    QCOMPARE(received.size(), 1);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toString(), QStringLiteral("the browser closed the DevTools pipe"));
    QVERIFY(!probe.isOpen());
    probe.send("{}"); // dropped, not a crash
    QCOMPARE(probe.bytesToWrite(), 0);
}

void tst_CdpPipe::writingToAGoneReaderRaisesNoSignal()
{
    // The default action of SIGPIPE ends the process: a browser that dies mid-command must not take the probe too.
    const auto previous = std::signal(SIGPIPE, SIG_DFL);
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, cap);
    m_channels.ourRead = m_channels.ourWrite = -1;
    CdpPipe::closeDescriptor(m_channels.childRead); // nobody reads our commands any more; the other channel stays
    QSignalSpy closed(&probe, &CdpPipe::closed);
    probe.send(R"({"id":1,"method":"Browser.close"})");
    QVERIFY(closed.wait(5000));
    QVERIFY2(closed.at(0).at(0).toString().startsWith(u"cannot write to the DevTools pipe"),
        qPrintable(closed.at(0).at(0).toString()));
    std::signal(SIGPIPE, previous);
}

void tst_CdpPipe::oversizedMessageEndsThePipe()
{
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, 1000);
    CdpPipe browser(m_channels.childRead, m_channels.childWrite, cap);
    m_channels = {};
    QSignalSpy received(&probe, &CdpPipe::messageReceived);
    QSignalSpy closed(&probe, &CdpPipe::closed);
    browser.send(R"({"id":1,"result":{}})");
    browser.send(QByteArray(1001, 'x')); // never ended: the reader must not wait for its NUL
    QVERIFY(closed.wait(5000));
    QCOMPARE(received.size(), 1);
    QCOMPARE(
        closed.at(0).at(0).toString(), QStringLiteral("protocol error: a DevTools message longer than 1000 bytes"));
    QVERIFY(!probe.isOpen());
}

void tst_CdpPipe::flushWithoutTheEventLoop()
{
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, cap);
    m_channels.ourRead = m_channels.ourWrite = -1;
    probe.send(R"({"id":9,"method":"Browser.close"})");
    QVERIFY(probe.flush(1000));
    QCOMPARE(probe.bytesToWrite(), 0);
    const QByteArray expected = QByteArray(R"({"id":9,"method":"Browser.close"})") + '\0';
    QByteArray got(expected.size() + 16, Qt::Uninitialized);
    QCOMPARE(::read(m_channels.childRead, got.data(), static_cast<size_t>(got.size())), expected.size());
    got.truncate(expected.size());
    QCOMPARE(got, expected);
}

void tst_CdpPipe::childGetsDescriptorsThreeAndFourOnly()
{
#ifndef Q_OS_LINUX
    QSKIP("reads the child's descriptors from /proc");
#endif
    // An echo on descriptors 3 → 4 stands in for the browser.
    QProcess child;
    child.setProgram(QStringLiteral("/bin/sh"));
    child.setArguments({ QStringLiteral("-c"), QStringLiteral("exec cat <&3 >&4") });
    const CdpPipe::Channels fds = m_channels;
    child.setChildProcessModifier([fds] {
        if (!CdpPipe::placeInChild(fds))
            ::_exit(127);
    });
    child.start();
    QVERIFY(child.waitForStarted(5000));
    const QString childRead = socketName(m_channels.childRead);
    const QString childWrite = socketName(m_channels.childWrite);
    const QString ourRead = socketName(m_channels.ourRead);
    const QString ourWrite = socketName(m_channels.ourWrite);
    CdpPipe::closeDescriptor(m_channels.childRead);
    CdpPipe::closeDescriptor(m_channels.childWrite);
    CdpPipe probe(m_channels.ourRead, m_channels.ourWrite, cap);
    m_channels = {};

    QSignalSpy received(&probe, &CdpPipe::messageReceived);
    probe.send(R"({"id":1,"method":"Browser.getVersion"})");
    QVERIFY(received.wait(5000));
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray(R"({"id":1,"method":"Browser.getVersion"})"));

    const QDir fdDir(QStringLiteral("/proc/%1/fd").arg(child.processId()));
    QHash<QString, QString> links; // descriptor → what it is
    for (const QString &fd : fdDir.entryList(QDir::System | QDir::NoDotAndDotDot))
        links.insert(fd, linkTarget(fdDir.filePath(fd)));
    QCOMPARE(links.value(QStringLiteral("3")), childRead);
    QCOMPARE(links.value(QStringLiteral("4")), childWrite);
    const QStringList held = links.values();
    QVERIFY2(!held.contains(ourRead) && !held.contains(ourWrite), "the child holds the probe's ends");

    // The child's end is only in the child: its death ends the stream.
    QSignalSpy closed(&probe, &CdpPipe::closed);
    child.kill();
    QVERIFY(closed.wait(5000));
    // waitForFinished() would be false if the event loop above already saw the end.
    QTRY_COMPARE(child.state(), QProcess::NotRunning);
}

QTEST_GUILESS_MAIN(tst_CdpPipe)
#include "tst_cdppipe.moc"
