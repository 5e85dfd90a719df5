#include "chromeprocess.h"

#include "cdpconnection.h"
#include "model/displayformat.h"
#include "profilefolders.h"
#ifndef Q_OS_WIN
#include "cdppipe.h"
#endif

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>

#include <utility>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

Q_LOGGING_CATEGORY(lcChrome, "worldspeed.chrome", QtWarningMsg)

namespace {

#ifdef Q_OS_WIN
constexpr int pollIntervalMs = 20;
#endif
constexpr qsizetype stderrTailBytes = 4096;

QStringList candidatePaths()
{
    QStringList paths;
#if defined(Q_OS_MACOS)
    paths << QStringLiteral("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
          << QStringLiteral("/Applications/Chromium.app/Contents/MacOS/Chromium")
          << QDir::homePath() + QStringLiteral("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
#elif defined(Q_OS_WIN)
    for (const char *variable : { "PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA" }) {
        const QString base = qEnvironmentVariable(variable);
        if (!base.isEmpty()) {
            paths << base + QStringLiteral("/Google/Chrome/Application/chrome.exe")
                  << base + QStringLiteral("/Chromium/Application/chrome.exe");
        }
    }
#else
    paths << QStringLiteral("/usr/bin/chromium") << QStringLiteral("/usr/bin/chromium-browser")
          << QStringLiteral("/usr/bin/google-chrome") << QStringLiteral("/usr/bin/google-chrome-stable")
          << QStringLiteral("/opt/google/chrome/chrome") << QStringLiteral("/snap/bin/chromium");
#endif
    for (const char *name : { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome" }) {
        const QString found = QStandardPaths::findExecutable(QString::fromLatin1(name));
        if (!found.isEmpty())
            paths << found;
    }
    return paths;
}

// Chrome puts a Unix socket under its TMPDIR (.org.chromium.Chromium.XXXXXX/SingletonSocket, about 50 bytes more),
// and a socket path must fit in sun_path's 108 bytes; past that Chrome exits at start with code 6. A deep temp
// folder (a test's, a CI checkout's) is therefore swapped for the system's.
QString profileParent()
{
    const QString temp = QDir::tempPath();
#ifdef Q_OS_UNIX
    constexpr qsizetype maxParentLength = 40;
    if (temp.size() > maxParentLength)
        return QStringLiteral("/tmp");
#endif
    return temp;
}

bool isExecutableFile(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

} // namespace

ChromeProcess::ChromeProcess(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
#ifdef Q_OS_WIN
    m_pollTimer.setInterval(pollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &ChromeProcess::pollDevToolsPort);
#endif
    constexpr int healthCheckIntervalMs = 1'000;
    m_healthTimer.setInterval(healthCheckIntervalMs);
    connect(&m_healthTimer, &QTimer::timeout, this, &ChromeProcess::checkHealth);
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            qCWarning(lcChrome) << "browser did not close in time; killing pid" << m_process->processId();
            m_process->kill();
        }
    });
}

ChromeProcess::~ChromeProcess()
{
    stopNow();
}

QString ChromeProcess::findExecutable(const QString &explicitPath)
{
    if (!explicitPath.isEmpty())
        return isExecutableFile(explicitPath) ? QFileInfo(explicitPath).absoluteFilePath() : QString();
    for (const QString &path : candidatePaths()) {
        if (isExecutableFile(path))
            return path;
    }
    return {};
}

QStringList ChromeProcess::defaultArguments()
{
    QStringList args {
        QStringLiteral("--headless=new"),
        QStringLiteral("--disable-gpu"),
        QStringLiteral("--no-first-run"),
        QStringLiteral("--no-default-browser-check"),
        // Nothing but the page under test may touch the network, or its timings are not the page's.
        QStringLiteral("--disable-background-networking"),
        QStringLiteral("--disable-component-update"),
        QStringLiteral("--disable-sync"),
        QStringLiteral("--disable-default-apps"),
        QStringLiteral("--disable-extensions"),
        QStringLiteral("--disable-client-side-phishing-detection"),
        QStringLiteral("--disable-breakpad"),
        QStringLiteral("--metrics-recording-only"),
        QStringLiteral("--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
                       "InterestFeedContentSuggestions,CalculateNativeWinOcclusion"),
        // Concurrent runs live in background targets; throttling them would slow exactly what we measure.
        QStringLiteral("--disable-background-timer-throttling"),
        QStringLiteral("--disable-backgrounding-occluded-windows"),
        QStringLiteral("--disable-renderer-backgrounding"),
        QStringLiteral("--password-store=basic"),
        QStringLiteral("--use-mock-keychain"),
        QStringLiteral("--mute-audio"),
        QStringLiteral("--hide-scrollbars"),
    };
#ifdef Q_OS_UNIX
    // Chrome's sandbox refuses to run as root; a probe in a container usually is root.
    if (::geteuid() == 0)
        args << QStringLiteral("--no-sandbox");
#endif
    return args;
}

QString ChromeProcess::profileRoot() const
{
    return m_root ? m_root->path() : QString();
}

void ChromeProcess::start()
{
    if (m_state != State::NotRunning)
        return;
    m_version.clear();
    m_startMs.reset();
    m_stderrTail.clear();
    m_executable = findExecutable(m_options.executable);
    if (m_executable.isEmpty()) {
        failLater(m_options.executable.isEmpty()
                ? QStringLiteral("Chrome or Chromium not found (install chromium, or pass --chrome PATH)")
                : QStringLiteral("Chrome not found at %1 (not an executable file)").arg(m_options.executable));
        return;
    }
    ProfileFolders::sweepAbandoned(profileParent());
    QString error;
    if (!makeProfile(&error)) {
        failLater(error);
        return;
    }
    const QDir root(m_root->path());
    QStringList args = defaultArguments();
    args << QStringLiteral("--window-size=%1,%2").arg(m_options.windowWidth).arg(m_options.windowHeight)
         << QStringLiteral("--user-data-dir=") + root.filePath(QStringLiteral("profile"))
#ifdef Q_OS_WIN
         << QStringLiteral("--remote-debugging-port=0")
#else
         << QStringLiteral("--remote-debugging-pipe")
#endif
         << m_options.extraArguments << QStringLiteral("about:blank");
    launch(args);
}

void ChromeProcess::failLater(const QString &reason)
{
    QMetaObject::invokeMethod(
        this, [this, reason] { emit startFailed(reason); }, Qt::QueuedConnection);
}

bool ChromeProcess::makeProfile(QString *error)
{
    m_root = std::make_unique<QTemporaryDir>(profileParent() + u'/' + ProfileFolders::namePattern());
    if (!m_root->isValid()) {
        *error = QStringLiteral("cannot create a browser profile folder: %1").arg(m_root->errorString());
        m_root.reset();
        return false;
    }
    const QDir root(m_root->path());
    QFile owner(root.filePath(ProfileFolders::ownerFileName()));
    if (owner.open(QIODevice::WriteOnly))
        owner.write(QByteArray::number(QCoreApplication::applicationPid()));
    owner.close();
    for (const char *sub : { "profile", "home", "tmp", "cache", "config", "runtime" })
        root.mkpath(QString::fromLatin1(sub));
    QFile::setPermissions(
        root.filePath(QStringLiteral("runtime")), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return true;
}

QProcessEnvironment ChromeProcess::browserEnvironment() const
{
    const QDir root(m_root->path());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), root.filePath(QStringLiteral("home")));
    env.insert(QStringLiteral("TMPDIR"), root.filePath(QStringLiteral("tmp")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("cache")));
    // Chromium's dconf client writes here even headless.
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), root.filePath(QStringLiteral("runtime")));
    return env;
}

void ChromeProcess::launch(const QStringList &args)
{
#ifndef Q_OS_WIN
    QString error;
    std::optional<CdpPipe::Channels> channels = CdpPipe::createChannels(&error);
    if (!channels) {
        cleanUp();
        failLater(error);
        return;
    }
#endif
    m_process = new QProcess(this);
    m_process->setProcessEnvironment(browserEnvironment());
    m_process->setProgram(m_executable);
    m_process->setArguments(args);
    m_process->setStandardOutputFile(QProcess::nullDevice());
#ifndef Q_OS_WIN
    m_process->setChildProcessModifier([fds = *channels] {
#ifdef Q_OS_LINUX
        // A probe killed outright (SIGKILL, OOM) cannot close its browser; without this Chrome lives on as an
        // orphan, with its renderers, for ever. /usr/bin/chromium execs the real binary, which keeps the setting.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        // A group of its own, which its helper processes join: what is left of it can be found and ended before
        // the profile folder is removed (ProfileFolders::endBrowserProcesses).
        ::setpgid(0, 0);
        // Without its pipe the browser could not be driven: end the child now, reported as an exit at start-up.
        if (!CdpPipe::placeInChild(fds))
            ::_exit(127);
    });
#endif
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        // Keep only the tail: it is what explains a failed start, and Chrome can be chatty.
        m_stderrTail += m_process->readAllStandardError();
        if (m_stderrTail.size() > stderrTailBytes)
            m_stderrTail = m_stderrTail.right(stderrTailBytes);
    });
    connect(m_process, &QProcess::finished, this, &ChromeProcess::onProcessFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(QStringLiteral("cannot start %1: %2").arg(m_executable, m_process->errorString()));
    });

    m_state = State::Starting;
    m_clock.start();
    m_process->start();
#ifdef Q_OS_WIN
    QString jobError;
    if (m_state == State::Starting && !m_job.adopt(m_process->processId(), &jobError))
        qCWarning(lcChrome) << "the browser may outlive the probe:" << jobError;
    if (m_state == State::Starting)
        m_pollTimer.start();
#else
    // The browser has its own copies now. Ours must go, or its death would never end the stream we read.
    CdpPipe::closeDescriptor(channels->childRead);
    CdpPipe::closeDescriptor(channels->childWrite);
    if (m_state != State::Starting) { // it failed to start, and has said so
        CdpPipe::closeDescriptor(channels->ourRead);
        CdpPipe::closeDescriptor(channels->ourWrite);
        return;
    }
    ProfileFolders::recordBrowserGroup(m_root->path(), m_process->processId());
    connectDevTools();
    m_cdp->open(channels->ourRead, channels->ourWrite);
#endif
}

void ChromeProcess::connectDevTools()
{
    m_cdp = new CdpConnection(this);
    connect(m_cdp, &CdpConnection::opened, this, &ChromeProcess::onCdpOpened);
    connect(m_cdp, &CdpConnection::closed, this, &ChromeProcess::onCdpClosed);
}

#ifdef Q_OS_WIN
// Windows hands a child no descriptors 3 and 4; Chrome there takes --remote-debugging-io-pipes=<handles> instead,
// which would need overlapped I/O on inherited handles that nobody here can test. Until then, Windows keeps
// DevTools on a loopback port: Chrome picks a free one and writes it to DevToolsActivePort, which we read. Any
// local process can find and drive that port.
void ChromeProcess::pollDevToolsPort()
{
    if (m_state != State::Starting)
        return;
    if (m_clock.elapsed() > m_options.startTimeoutMs) {
        fail(QStringLiteral("the browser did not open its DevTools port within %1")
                 .arg(DisplayFormat::duration(m_options.startTimeoutMs)));
        return;
    }
    QFile file(QDir(m_root->path()).filePath(QStringLiteral("profile/DevToolsActivePort")));
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QList<QByteArray> lines = file.readAll().split('\n');
    // Chrome writes the file in one go, but we may read it mid-write: wait for both lines.
    if (lines.size() < 2 || lines.at(1).trimmed().isEmpty())
        return;
    bool portOk = false;
    const int port = lines.at(0).trimmed().toInt(&portOk);
    if (!portOk || port <= 0 || port > 65535)
        return;
    m_pollTimer.stop();
    connectDevTools();
    m_cdp->open(QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port).arg(QString::fromLatin1(lines.at(1).trimmed()))));
}
#endif

void ChromeProcess::onCdpOpened()
{
    // The start-up time limit covers the browser's first answer: over a pipe that is the first sign of it.
    const auto left = std::chrono::milliseconds(std::max<qint64>(1, m_options.startTimeoutMs - m_clock.elapsed()));
    m_cdp->send(
        QStringLiteral("Browser.getVersion"), {}, {}, this,
        [this](const CdpReply &reply) {
            // A lost connection is reported by onCdpClosed(), which follows, with the browser's exit if it exited.
            if (m_state != State::Starting || reply.errorCode == CdpReply::disconnectedCode)
                return;
            if (reply.errorCode == CdpReply::timeoutCode) {
                fail(QStringLiteral("the browser did not answer DevTools within %1")
                         .arg(DisplayFormat::duration(m_options.startTimeoutMs)));
                return;
            }
            if (!reply.ok()) {
                fail(QStringLiteral("the browser does not answer: %1").arg(reply.error));
                return;
            }
            m_version = reply.result.value(QStringLiteral("product")).toString();
            m_startMs = static_cast<double>(m_clock.nsecsElapsed()) / 1e6;
            m_state = State::Running;
            m_healthTimer.start();
            qCInfo(lcChrome) << "browser ready:" << m_version << "in" << *m_startMs << "ms";
            emit ready();
        },
        left);
}

void ChromeProcess::onCdpClosed(const QString &reason)
{
    if (m_state == State::Starting) {
        // A browser that exits during start-up closes its pipe just before its end is seen; the exit code and the
        // last line of its stderr say more than the pipe does, so give them a moment to arrive.
        constexpr int startExitWaitMs = 1000;
        if (m_process && m_process->waitForFinished(startExitWaitMs))
            return; // reported by onProcessFinished()
        fail(QStringLiteral("the browser's DevTools connection closed during start-up: %1").arg(reason));
        return;
    }
    if (m_state != State::Running)
        return;
    qCWarning(lcChrome) << "DevTools connection lost:" << reason;
    // A lost DevTools connection is a crash at once: the pipe only ends when the browser dies, or when it broke the
    // protocol (a message over the cap). Make sure it is gone and report it now, not when the process's end arrives
    // later: in between, a new load would be handed a dead connection.
    if (m_process) {
        m_process->kill();
        m_process->waitForFinished(3000); // reports the crash through onProcessFinished
    }
    if (m_state == State::Running) { // the process's end did not come in time: forget it anyway
        cleanUp();
        m_state = State::NotRunning;
        emit crashed(QStringLiteral("the browser's DevTools connection closed: %1").arg(reason));
    }
}

void ChromeProcess::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    const State was = m_state;
    m_killTimer.stop();
#ifdef Q_OS_WIN
    m_pollTimer.stop();
#endif
    if (was == State::Starting) {
        // Killed by a signal (exitCode is its number then), the browser said nothing about it: whatever it last
        // wrote to stderr is about something else.
        if (status == QProcess::CrashExit) {
            fail(QStringLiteral("the browser was killed by signal %1 during start-up").arg(exitCode));
            return;
        }
        QString tail = QString::fromLocal8Bit(m_stderrTail).trimmed();
        const qsizetype lastLine = tail.lastIndexOf(u'\n');
        if (lastLine >= 0)
            tail = tail.mid(lastLine + 1);
        fail(QStringLiteral("the browser exited during start-up (code %1)%2")
                 .arg(exitCode)
                 .arg(tail.isEmpty() ? QString() : QStringLiteral(": ") + tail));
        return;
    }
    cleanUp();
    m_state = State::NotRunning;
    const QString unresponsive = std::exchange(m_unresponsive, {});
    if (was == State::Stopping) {
        emit stopped();
    } else if (was == State::Running && !unresponsive.isEmpty()) {
        emit stoppedAnswering(unresponsive);
    } else if (was == State::Running) {
        emit crashed(status == QProcess::CrashExit ? QStringLiteral("the browser crashed")
                                                   : QStringLiteral("the browser exited (code %1)").arg(exitCode));
    }
}

void ChromeProcess::checkHealth()
{
    // Commands that legitimately take long (Page.navigate waits for the document's headers) trigger the question,
    // which a healthy browser answers at once whatever its pages do.
    constexpr std::chrono::milliseconds overdue { 1'000 };
    if (m_state != State::Running || !m_cdp || m_healthCheckPending || m_cdp->oldestPendingAge() < overdue)
        return;
    m_healthCheckPending = true;
    m_cdp->send(
        QStringLiteral("Browser.getVersion"), {}, {}, this,
        [this](const CdpReply &reply) {
            m_healthCheckPending = false;
            if (reply.errorCode == CdpReply::timeoutCode && m_state == State::Running)
                killUnresponsive(QStringLiteral("the browser stopped answering (no answer to Browser.getVersion "
                                                "within %1); it was killed")
                                     .arg(DisplayFormat::duration(m_options.answerLimitMs)));
        },
        std::chrono::milliseconds(m_options.answerLimitMs));
}

void ChromeProcess::killUnresponsive(const QString &reason)
{
    qCWarning(lcChrome).noquote() << reason << "- pid" << processId();
    m_unresponsive = reason;
    if (m_process) {
        m_process->kill(); // SIGKILL ends a stopped process too
        m_process->waitForFinished(3000); // reports it through onProcessFinished
    }
    if (m_state == State::Running) { // its end did not come in time: forget it anyway
        m_unresponsive.clear();
        cleanUp();
        m_state = State::NotRunning;
        emit stoppedAnswering(reason);
    }
}

void ChromeProcess::fail(const QString &reason)
{
    if (m_state != State::Starting)
        return;
    m_state = State::Stopping; // so the process's end is not taken for a crash
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
    cleanUp();
    m_state = State::NotRunning;
    qCWarning(lcChrome) << "browser start failed:" << reason;
    emit startFailed(reason);
}

void ChromeProcess::stop(int graceMs)
{
    if (m_state == State::NotRunning || m_state == State::Stopping)
        return;
    if (m_state == State::Starting) {
        fail(QStringLiteral("stopped while starting"));
        emit stopped();
        return;
    }
    m_state = State::Stopping;
    // Browser.close lets Chrome flush and delete its own temporary files; a signal would not.
    if (m_cdp && m_cdp->isOpen())
        m_cdp->send(QStringLiteral("Browser.close"));
    else if (m_process)
        m_process->terminate();
    m_killTimer.start(graceMs);
}

void ChromeProcess::stopNow(int graceMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning) {
        cleanUp();
        m_state = State::NotRunning;
        return;
    }
    m_state = State::Stopping;
    m_process->disconnect(this);
    if (m_cdp && m_cdp->isOpen()) {
        m_cdp->send(QStringLiteral("Browser.close"));
        m_cdp->flush();
    }
    if (!m_process->waitForFinished(graceMs)) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
    cleanUp();
    m_state = State::NotRunning;
}

void ChromeProcess::cleanUp()
{
    m_healthTimer.stop();
    m_healthCheckPending = false;
#ifdef Q_OS_WIN
    m_pollTimer.stop();
#endif
    if (m_cdp) {
        m_cdp->disconnect(this);
        m_cdp->deleteLater();
        m_cdp = nullptr;
    }
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
        m_process = nullptr;
    }
    if (m_root) {
        // Profile, HOME and TMPDIR with everything Chrome left there, read-only folders included, which
        // QTemporaryDir's own removal would leave behind.
        m_root->setAutoRemove(false);
        ProfileFolders::endBrowserProcesses(m_root->path());
        if (!ProfileFolders::removeTree(m_root->path()))
            qCWarning(lcChrome) << "could not remove the browser's profile folder" << m_root->path();
        m_root.reset();
    }
}
