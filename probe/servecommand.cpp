#include "servecommand.h"

#include "hostresolver.h"
#include "probeserver.h"
#include "urlpolicy.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QSslKey>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <QPointer>

#include <atomic>
#include <windows.h>
#endif

Q_LOGGING_CATEGORY(lcServe, "worldspeed.serve", QtInfoMsg)

namespace {

constexpr int usageExit = 2;
constexpr qsizetype minTokenLength = 16;

#ifdef Q_OS_UNIX
// Signal handlers may only do async-signal-safe things: write a byte, and let the event loop do the rest.
int signalPipe[2] = { -1, -1 };

void onSignal(int signal)
{
    const char byte = static_cast<char>(signal);
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}
#endif

#ifdef Q_OS_WIN
// Windows has no SIGTERM: Ctrl+C, Ctrl+Break, a closed console window and the end of the session reach a console
// program through a handler that the system calls on a thread of its own. It asks the command's thread to stop.
QPointer<ServeCommand> consoleCommand;
std::atomic<bool> consoleCommandEnded { false };

BOOL WINAPI onConsoleEvent(DWORD event)
{
    const char *name = event == CTRL_C_EVENT ? "Ctrl+C"
        : event == CTRL_BREAK_EVENT          ? "Ctrl+Break"
        : event == CTRL_CLOSE_EVENT          ? "console closed"
                                             : "session ending";
    if (ServeCommand *command = consoleCommand.data()) {
        QMetaObject::invokeMethod(
            command, [command, name] { command->stop(QString::fromLatin1(name)); }, Qt::QueuedConnection);
    }
    // After a close or the session's end Windows ends the process as soon as this returns (and after about five
    // seconds whatever happens): wait here for the drain, up to a little under that.
    if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT) {
        for (int waited = 0; waited < 4500 && !consoleCommandEnded.load(); waited += 100)
            ::Sleep(100);
    }
    return TRUE;
}
#endif

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const int number = text.mid(colon + 1).toInt(&ok);
    if (!ok || number < 0 || number > 65535)
        return false;
    if (host == u"localhost")
        host = QStringLiteral("127.0.0.1");
    if (!address->setAddress(host))
        return false;
    *port = static_cast<quint16>(number);
    return true;
}

} // namespace

// The command line of `serve`, declared once for parsing and for --help.
struct ServeFlags
{
    QCommandLineOption listen { QStringLiteral("listen"),
        QStringLiteral("Address and port to listen on (port 0: any free one). Off loopback it needs --tls-cert, or "
                       "--insecure-plaintext."),
        QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8700") };
    QCommandLineOption region { QStringLiteral("region"), QStringLiteral("Region code this probe reports, e.g. fra."),
        QStringLiteral("CODE"), QStringLiteral("local") };
    QCommandLineOption tokenFile { QStringLiteral("token-file"),
        QStringLiteral("File holding the token clients must present."), QStringLiteral("FILE") };
    QCommandLineOption tlsCert { QStringLiteral("tls-cert"), QStringLiteral("PEM certificate: serve wss."),
        QStringLiteral("FILE") };
    QCommandLineOption tlsKey { QStringLiteral("tls-key"), QStringLiteral("PEM private key for --tls-cert."),
        QStringLiteral("FILE") };
    QCommandLineOption insecurePlaintext { QStringLiteral("insecure-plaintext"),
        QStringLiteral("Serve plain ws:// on a --listen address other than loopback, where something else encrypts the "
                       "way (a TLS-terminating proxy, a VPN): clients' tokens cross it unencrypted.") };
    QCommandLineOption maxConcurrency { QStringLiteral("max-concurrency"),
        QStringLiteral("Runs loading at once (1-64)."), QStringLiteral("N"), QStringLiteral("1") };
    QCommandLineOption queue { QStringLiteral("queue"), QStringLiteral("Runs that may wait beyond those (0-10000)."),
        QStringLiteral("N"), QStringLiteral("16") };
    QCommandLineOption idle { QStringLiteral("idle-shutdown"),
        QStringLiteral("Exit after this many seconds with no authenticated client and no run (0: never)."),
        QStringLiteral("SECONDS"), QStringLiteral("0") };
    QCommandLineOption parentGrace { QStringLiteral("parent-grace"),
        QStringLiteral("One-parent mode: exit when no client has been connected for this many seconds, also before the "
                       "first one connects (0: off)."),
        QStringLiteral("SECONDS"), QStringLiteral("0") };
    QCommandLineOption shutdownTimeout { QStringLiteral("shutdown-timeout"),
        QStringLiteral("On SIGTERM/SIGINT, let running runs finish for this long, then cancel them."),
        QStringLiteral("SECONDS"), QStringLiteral("10") };
    QCommandLineOption allowPrivate { QStringLiteral("allow-private-targets"),
        QStringLiteral("Load loopback, private, link-local and metadata addresses too (local fleets, tests).") };
    QCommandLineOption allowTarget { QStringLiteral("allow-target"),
        QStringLiteral("Allow this one host even though it is private: its port, or without one the scheme's default "
                       "port; may be repeated."),
        QStringLiteral("HOST[:PORT]") };
    QCommandLineOption dnsServer { QStringLiteral("dns-server"),
        QStringLiteral("Look names up by asking this DNS server (UDP) instead of the system's resolver; port 53 "
                       "unless given."),
        QStringLiteral("IP[:PORT]") };
    QCommandLineOption chrome { QStringLiteral("chrome"), QStringLiteral("Path of the Chrome or Chromium to use."),
        QStringLiteral("PATH") };
    QCommandLineOption chromeArg { QStringLiteral("chrome-arg"),
        QStringLiteral("Extra argument for Chrome; may be repeated."), QStringLiteral("ARG") };

    void addTo(QCommandLineParser &parser) const
    {
        parser.setApplicationDescription(QStringLiteral(
            "Serves authenticated WorldSpeed clients over WebSocket (protocol v1) and loads their pages in headless "
            "Chromium.\nThe token comes from --token-file or the environment variable WORLDSPEED_PROBE_TOKEN, never "
            "from the command line.\nPrints one line `worldspeed-probe ready {json}` on stdout when it listens."));
        parser.addHelpOption();
        parser.addOptions({ listen, region, tokenFile, tlsCert, tlsKey, insecurePlaintext, maxConcurrency, queue, idle,
            parentGrace, shutdownTimeout, allowPrivate, allowTarget, dnsServer, chrome, chromeArg });
    }
};

ServeCommand::ServeCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{
    m_idleTimer.setSingleShot(true);
    m_parentTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] { stop(QStringLiteral("idle")); });
    connect(&m_parentTimer, &QTimer::timeout, this, [this] {
        if (m_server)
            m_server->cancelAll(QStringLiteral("the probe's parent went away"));
        stop(m_parentSeen ? QStringLiteral("parent gone") : QStringLiteral("parent never connected"));
    });
}

ServeCommand::~ServeCommand()
{
#ifdef Q_OS_WIN
    consoleCommandEnded.store(true);
#endif
#ifdef Q_OS_UNIX
    if (m_signalNotifier) {
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
    }
#endif
}

int ServeCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const ServeFlags flags;
    flags.addTo(parser);
    QStringList argv = arguments;
    argv.prepend(QStringLiteral("worldspeed-probe serve"));
    if (!parser.parse(argv))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << parser.helpText();
        m_out.flush();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));

    ProbeServer::Options options;
    Lifetime lifetime;
    for (const auto &read :
        { &ServeCommand::readBasics, &ServeCommand::readToken, &ServeCommand::readTls, &ServeCommand::readPolicy }) {
        if (const QString why = (this->*read)(parser, flags, &options, &lifetime); !why.isEmpty())
            return usage(why);
    }
    m_shutdownTimeoutMs = lifetime.shutdownSeconds * 1000;

    m_server = new ProbeServer(options, this);
    QString error;
    if (!m_server->listen(&error)) {
        m_err << "worldspeed-probe serve: " << error << '\n';
        m_err.flush();
        return 1;
    }
    connect(m_server, &ProbeServer::stopped, this, [this] { emit finished(0); });
    startLifetimeTimers(lifetime);
    watchSignals();
    printReady(options);
    // The browser's start is the longest step of a cold run, and only the first load needs it done: starting it now
    // overlaps it with what comes first (the fleet reading our ready line, the client's connection and handshake).
    m_server->startBrowser();
    return -1;
}

int ServeCommand::usage(const QString &message)
{
    m_err << "worldspeed-probe serve: " << message << '\n';
    m_err.flush();
    return usageExit;
}

QString ServeCommand::readBasics(
    const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *lifetime)
{
    if (!parseListen(parser.value(flags.listen), &options->address, &options->port))
        return QStringLiteral("--listen wants HOST:PORT with an IP address, e.g. 127.0.0.1:8700 or [::]:8700");
    options->region = parser.value(flags.region);
    if (!ProtocolLimits::isIdentifier(options->region))
        return QStringLiteral("--region must be 1-64 letters, digits, _ or -");
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *value) {
        bool ok = false;
        *value = parser.value(option).toInt(&ok);
        return ok && *value >= min && *value <= max;
    };
    if (!number(flags.maxConcurrency, 1, 64, &options->maxConcurrency))
        return QStringLiteral("--max-concurrency must be 1-64");
    if (!number(flags.queue, 0, 10'000, &options->queueLimit))
        return QStringLiteral("--queue must be 0-10000");
    if (!number(flags.idle, 0, 7 * 24 * 3600, &lifetime->idleSeconds))
        return QStringLiteral("--idle-shutdown must be a number of seconds");
    if (!number(flags.parentGrace, 0, 24 * 3600, &lifetime->graceSeconds))
        return QStringLiteral("--parent-grace must be a number of seconds");
    if (!number(flags.shutdownTimeout, 0, 3600, &lifetime->shutdownSeconds))
        return QStringLiteral("--shutdown-timeout must be a number of seconds");
    return {};
}

QString ServeCommand::readToken(
    const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *)
{
    // The token: a file (systemd credentials, a mounted secret) or the environment; argv is visible to every
    // user on the machine, so it is not offered. Once read, it leaves the environment Chrome will inherit.
    QByteArray token;
    if (parser.isSet(flags.tokenFile)) {
        QFile file(parser.value(flags.tokenFile));
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot read the token file %1: %2").arg(file.fileName(), file.errorString());
        token = file.read(64 * 1024).trimmed();
    } else {
        token = qgetenv(tokenVariable).trimmed();
    }
    qunsetenv(tokenVariable);
    if (token.isEmpty())
        return QStringLiteral("no token: give --token-file FILE or set %1").arg(QString::fromLatin1(tokenVariable));
    if (token.size() < minTokenLength)
        return QStringLiteral("the token is too short (at least %1 characters)").arg(minTokenLength);
    options->token = token;
    return {};
}

QString ServeCommand::readTls(
    const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *)
{
    if (parser.isSet(flags.tlsCert) != parser.isSet(flags.tlsKey))
        return QStringLiteral("--tls-cert and --tls-key go together");
    if (!parser.isSet(flags.tlsCert)) {
        // Clients send the token in their first frame: off loopback, in clear text only when told to.
        if (options->address.isLoopback() || parser.isSet(flags.insecurePlaintext))
            return {};
        return QStringLiteral("--listen %1 is reachable from other machines, and without TLS every client's token "
                              "would cross the network unencrypted: give --tls-cert FILE --tls-key FILE, or "
                              "--insecure-plaintext when something else encrypts the way (a TLS-terminating proxy, "
                              "a VPN)")
            .arg(parser.value(flags.listen));
    }
    QFile certFile(parser.value(flags.tlsCert));
    QFile keyFile(parser.value(flags.tlsKey));
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the TLS certificate or key");
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    const QByteArray keyData = keyFile.readAll();
    QSslKey key(keyData, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyData, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || key.isNull())
        return QStringLiteral("the TLS certificate or key is not valid PEM");
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    options->tls = tls;
    return {};
}

QString ServeCommand::readPolicy(
    const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *)
{
    auto policy = std::make_shared<UrlPolicy>(parser.isSet(flags.allowPrivate));
    for (const QString &target : parser.values(flags.allowTarget)) {
        const QUrl parsed(QStringLiteral("http://") + target);
        if (!parsed.isValid() || parsed.host().isEmpty() || !parsed.path().isEmpty())
            return QStringLiteral("--allow-target wants HOST or HOST:PORT, not \"%1\"").arg(target);
        policy->allowTarget(parsed.host(), parsed.port(-1));
    }
    if (parser.isSet(flags.dnsServer)) {
        const QUrl parsed(QStringLiteral("dns://") + parser.value(flags.dnsServer));
        QHostAddress address;
        if (!parsed.isValid() || !parsed.path().isEmpty() || !address.setAddress(parsed.host()) || parsed.port(53) <= 0)
            return QStringLiteral("--dns-server wants an IP address and maybe a port, e.g. 10.0.0.2 or "
                                  "[fd00::53]:5353, not \"%1\"")
                .arg(parser.value(flags.dnsServer));
        auto resolver = HostResolver::create();
        resolver->setNameserver(address, quint16(parsed.port(53)));
        policy->setResolver(std::move(resolver));
    }
    options->policy = policy;
    options->chrome.executable = parser.value(flags.chrome);
    options->chrome.extraArguments = parser.values(flags.chromeArg);
    return {};
}

void ServeCommand::startLifetimeTimers(const Lifetime &lifetime)
{
    if (lifetime.idleSeconds > 0) {
        m_idleTimer.setInterval(lifetime.idleSeconds * 1000);
        m_idleTimer.start();
        connect(m_server, &ProbeServer::idleChanged, this, [this](bool isIdle) {
            if (isIdle)
                m_idleTimer.start();
            else
                m_idleTimer.stop();
        });
    }
    if (lifetime.graceSeconds > 0) {
        // The parent must connect within the grace period too: a parent that died before connecting never will.
        m_parentTimer.setInterval(lifetime.graceSeconds * 1000);
        m_parentTimer.start();
        connect(m_server, &ProbeServer::clientCountChanged, this, [this](int count) {
            if (count > 0) {
                m_parentSeen = true;
                m_parentTimer.stop();
            } else {
                m_parentTimer.start();
            }
        });
    }
}

void ServeCommand::printReady(const ProbeServer::Options &options)
{
    const QJsonObject ready {
        { QStringLiteral("endpoint"), m_server->endpoint().toString() },
        { QStringLiteral("probeId"), m_server->probeId() },
        { QStringLiteral("region"), options.region },
        { QStringLiteral("version"), QStringLiteral(WORLDSPEED_VERSION) },
        { QStringLiteral("pid"), static_cast<double>(QCoreApplication::applicationPid()) },
    };
    m_out << readyPrefix << QString::fromUtf8(QJsonDocument(ready).toJson(QJsonDocument::Compact)) << Qt::endl;
    qCInfo(lcServe) << "listening on" << m_server->endpoint().toString() << "region" << options.region
                    << (options.policy->allowsPrivateTargets() ? "(private targets allowed)" : "")
                    << (!options.tls && !options.address.isLoopback() ? "(plain WebSocket, as asked)" : "");
}

void ServeCommand::stop(const QString &why)
{
    if (m_stopping || !m_server)
        return;
    m_stopping = true;
    m_idleTimer.stop();
    m_parentTimer.stop();
    qCInfo(lcServe) << "shutting down:" << why;
    m_server->shutdown(m_shutdownTimeoutMs);
}

void ServeCommand::watchSignals()
{
#ifdef Q_OS_UNIX
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) {
        qCWarning(lcServe) << "cannot watch signals; SIGTERM will end the probe without draining";
        return;
    }
    m_signalNotifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, this);
    connect(m_signalNotifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(signalPipe[0], &byte, 1);
        stop(byte == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
#endif
#ifdef Q_OS_WIN
    consoleCommand = this;
    if (!::SetConsoleCtrlHandler(onConsoleEvent, TRUE))
        qCWarning(lcServe) << "cannot watch console events; Ctrl+C will end the probe without draining";
#endif
}
