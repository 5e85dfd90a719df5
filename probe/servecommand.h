#pragma once

#include "probeserver.h"

#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <memory>

class QCommandLineParser;
class QSocketNotifier;
struct ServeFlags;

// `worldspeed-probe serve`: the fleet daemon. Parses its options, reads the token (file or environment, never
// the command line), starts the ProbeServer, prints one ready line on stdout for whoever started it, and stops
// itself when it is no longer useful: idle (no authenticated client, no run; connections that have not presented
// the token do not count) for --idle-shutdown seconds, or (one-parent mode) its parent gone for
// --parent-grace seconds. SIGTERM and SIGINT (on Windows: Ctrl+C, Ctrl+Break, a closed console) drain runs for up to
// --shutdown-timeout seconds and close Chrome cleanly; the exit code is 0 for all of these. Off loopback it serves
// wss:// (--tls-cert) unless told
// --insecure-plaintext: the token must not cross a network unencrypted by accident.
class ServeCommand final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServeCommand)

public:
    static constexpr const char *tokenVariable = "WORLDSPEED_PROBE_TOKEN";
    static constexpr const char *readyPrefix = "worldspeed-probe ready ";

    ServeCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~ServeCommand() override;

    // Returns -1 when the server is up and the event loop should run, else the exit code to leave with.
    int start(const QStringList &arguments);
    // Stops serving as SIGTERM does: runs drain for up to --shutdown-timeout, then finished(0). Once.
    void stop(const QString &why);

signals:
    void finished(int exitCode);

private:
    // When the probe ends itself, in seconds (0: never).
    struct Lifetime
    {
        int idleSeconds = 0;
        int graceSeconds = 0;
        int shutdownSeconds = 0;
    };

    int usage(const QString &message);
    // Each reads its part of the command line into *options or *lifetime; the problem in words, or empty.
    QString readBasics(
        const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *lifetime);
    QString readToken(
        const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *lifetime);
    QString readTls(
        const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *lifetime);
    QString readPolicy(
        const QCommandLineParser &parser, const ServeFlags &flags, ProbeServer::Options *options, Lifetime *lifetime);
    void startLifetimeTimers(const Lifetime &lifetime);
    void printReady(const ProbeServer::Options &options);
    void watchSignals();

    QTextStream &m_out;
    QTextStream &m_err;
    ProbeServer *m_server = nullptr;
    QTimer m_idleTimer;
    QTimer m_parentTimer;
    int m_shutdownTimeoutMs = 10'000;
    bool m_parentSeen = false;
    bool m_stopping = false;
    QSocketNotifier *m_signalNotifier = nullptr;
};
