#include "healthcommand.h"

#include "chromeprocess.h"

#include <QCommandLineParser>
#include <QSslConfiguration>
#include <QUrl>
#include <QWebSocket>

namespace {

constexpr int usageExit = 2;

// The address a check on this machine connects to for a probe listening on `host`: its own address, or loopback
// for a probe listening on every address.
QHostAddress checkAddress(const QHostAddress &listening)
{
    if (listening == QHostAddress::AnyIPv4 || listening == QHostAddress::Any)
        return QHostAddress(QHostAddress::LocalHost);
    if (listening == QHostAddress::AnyIPv6)
        return QHostAddress(QHostAddress::LocalHostIPv6);
    return listening;
}

} // namespace

HealthCommand::HealthCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (m_browser) {
            finish(1, QStringLiteral("the browser did not start in time"));
            return;
        }
        // A server that accepted but never completed an upgrade: something listens there, but not a probe that works.
        m_refusals << QStringLiteral("no complete answer within %1 s").arg(m_deadline.interval() / 1000);
        finish(1,
            QStringLiteral("no probe answers on port %1 (%2)").arg(m_port).arg(m_refusals.join(QStringLiteral("; "))));
    });
}

HealthCommand::~HealthCommand()
{
    if (m_browser)
        m_browser->stopNow();
}

int HealthCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Exits 0 when a probe on this machine answers a WebSocket upgrade (wss://, else ws://) on the --listen "
        "address, without authenticating, and with --browser when a browser then starts as the probe starts it."));
    parser.addHelpOption();
    const QCommandLineOption listen { QStringLiteral("listen"),
        QStringLiteral("The probe's --listen address; 0.0.0.0 and [::] are checked on loopback."),
        QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8700") };
    const QCommandLineOption browser { QStringLiteral("browser"),
        QStringLiteral("Also start and close a browser with the probe's settings.") };
    const QCommandLineOption chrome { QStringLiteral("chrome"), QStringLiteral("Path of the Chrome or Chromium."),
        QStringLiteral("PATH") };
    const QCommandLineOption chromeArg { QStringLiteral("chrome-arg"),
        QStringLiteral("Extra argument for Chrome, as given to serve; may be repeated."), QStringLiteral("ARG") };
    const QCommandLineOption timeout { QStringLiteral("timeout"), QStringLiteral("Give up after this many seconds."),
        QStringLiteral("SECONDS"), QStringLiteral("20") };
    parser.addOptions({ listen, browser, chrome, chromeArg, timeout });
    if (!parser.parse(QStringList(QStringLiteral("worldspeed-probe health")) + arguments)) {
        m_err << "worldspeed-probe health: " << parser.errorText() << '\n';
        return usageExit;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << parser.helpText();
        return 0;
    }
    const QUrl url(QStringLiteral("ws://") + parser.value(listen));
    QHostAddress address;
    bool seconds = false;
    const int timeoutSeconds = parser.value(timeout).toInt(&seconds);
    if (!url.isValid() || url.port() <= 0 || !url.path().isEmpty() || !address.setAddress(url.host()) || !seconds
        || timeoutSeconds < 1 || !parser.positionalArguments().isEmpty()) {
        m_err << "worldspeed-probe health: give --listen HOST:PORT with an IP address and --timeout in seconds\n";
        return usageExit;
    }
    m_address = checkAddress(address);
    m_port = quint16(url.port());
    m_checkBrowser = parser.isSet(browser);
    m_chrome = parser.value(chrome);
    m_chromeArguments = parser.values(chromeArg);
    m_deadline.start(timeoutSeconds * 1000);
    tryScheme(QStringLiteral("wss"));
    tryScheme(QStringLiteral("ws"));
    return -1;
}

void HealthCommand::tryScheme(const QString &scheme)
{
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_sockets.append(socket);
    if (scheme == u"wss") {
        // The probe's own certificate is for the name clients use, not for loopback; and no secret is sent.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket->setSslConfiguration(tls);
    }
    connect(socket, &QWebSocket::connected, this, [this, socket, scheme] { onAnswered(socket, scheme); });
    // A refused connection, a failed TLS handshake or an upgrade the server does not answer: error(), then maybe
    // disconnected(); only the first of them counts.
    connect(socket, &QWebSocket::disconnected, this, [this, socket, scheme] { onRefused(socket, scheme); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this, socket, scheme] { onRefused(socket, scheme); });
    QUrl url;
    url.setScheme(scheme);
    url.setHost(m_address.toString());
    url.setPort(m_port);
    socket->open(url);
}

void HealthCommand::onAnswered(QWebSocket *socket, const QString &scheme)
{
    if (!m_sockets.contains(socket))
        return;
    for (QWebSocket *attempt : std::as_const(m_sockets)) {
        attempt->disconnect(this);
        attempt->close();
        attempt->deleteLater();
    }
    m_sockets.clear();
    m_out << "worldspeed-probe health: a probe answers on " << scheme << "://"
          << (m_address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + m_address.toString() + u']'
                                                                    : m_address.toString())
          << ':' << m_port << '\n';
    if (m_checkBrowser)
        startBrowser();
    else
        finish(0, {});
}

void HealthCommand::onRefused(QWebSocket *socket, const QString &scheme)
{
    if (!m_sockets.removeOne(socket))
        return;
    m_refusals << QStringLiteral("%1: %2").arg(
        scheme, socket->errorString().isEmpty() ? QStringLiteral("closed") : socket->errorString());
    socket->disconnect(this);
    socket->deleteLater();
    if (m_sockets.isEmpty())
        finish(1,
            QStringLiteral("no probe answers on port %1 (%2)").arg(m_port).arg(m_refusals.join(QStringLiteral("; "))));
}

void HealthCommand::startBrowser()
{
    ChromeProcess::Options options;
    options.executable = m_chrome;
    options.extraArguments = m_chromeArguments;
    m_browser = new ChromeProcess(options, this);
    connect(m_browser, &ChromeProcess::ready, this, [this] {
        m_out << "worldspeed-probe health: " << m_browser->version() << " started";
        if (const auto ms = m_browser->startMs())
            m_out << " in " << qRound(*ms) << " ms";
        m_out << '\n';
        m_browser->stop();
    });
    connect(m_browser, &ChromeProcess::startFailed, this,
        [this](const QString &reason) { finish(1, QStringLiteral("the browser cannot start: ") + reason); });
    connect(m_browser, &ChromeProcess::crashed, this,
        [this](const QString &reason) { finish(1, QStringLiteral("the browser ended: ") + reason); });
    connect(m_browser, &ChromeProcess::stopped, this, [this] { finish(0, {}); });
    m_browser->start();
}

void HealthCommand::finish(int exitCode, const QString &message)
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    if (!message.isEmpty())
        m_err << "worldspeed-probe health: " << message << '\n';
    m_out.flush();
    m_err.flush();
    emit finished(exitCode);
}
