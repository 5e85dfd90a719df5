#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTextStream>
#include <QTimer>

class ChromeProcess;
class QWebSocket;

// `worldspeed-probe health`: is a probe serving on this machine, and can a browser start here as the probe would
// start it? For container health checks (HEALTHCHECK, Kubernetes probes), which run inside the probe's container.
//
// "Serving" means the probe completes a WebSocket upgrade on its port, over TLS or not (both tried at once: a
// plain server waits for the rest of what it takes for a request until its auth deadline), and
// the check then closes without sending `auth`: it is not a client, so it neither keeps an idle probe alive nor
// counts as a failed login. A bare TCP connect would also pass for a hung event loop that still has its listening
// socket. With --browser it then starts a Chromium with the probe's own settings (sandbox, flags) and closes it:
// what fails in a new region is mostly that (a seccomp profile or a kernel that refuses Chrome's sandbox).
// Exit 0 healthy, 1 not (one line on stderr says why), 2 bad arguments.
class HealthCommand final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthCommand)

public:
    HealthCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~HealthCommand() override;

    // -1: started, finished() will say how it ended; otherwise the exit code.
    int start(const QStringList &arguments);

signals:
    void finished(int exitCode);

private:
    void tryScheme(const QString &scheme);
    void onAnswered(QWebSocket *socket, const QString &scheme);
    void onRefused(QWebSocket *socket, const QString &scheme);
    void startBrowser();
    void finish(int exitCode, const QString &message);

    QTextStream &m_out;
    QTextStream &m_err;
    QHostAddress m_address;
    quint16 m_port = 0;
    bool m_checkBrowser = false;
    QString m_chrome;
    QStringList m_chromeArguments;
    QList<QWebSocket *> m_sockets; // the attempts still open, one per scheme
    ChromeProcess *m_browser = nullptr;
    QStringList m_refusals;
    QTimer m_deadline;
    bool m_finished = false;
};
