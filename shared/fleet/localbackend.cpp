#include "localbackend.h"

#include "model/displayformat.h"
#include "model/jsonreader.h"
#include "runnertoken.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

Q_LOGGING_CATEGORY(lcLocal, "worldspeed.fleet.local", QtInfoMsg)

namespace {

constexpr const char readyPrefix[] = "worldspeed-probe ready ";
constexpr qsizetype stderrTailBytes = 4096;
constexpr int stopGraceMs = 15'000;

QString lastLine(const QByteArray &text)
{
    const QList<QByteArray> lines = text.trimmed().split('\n');
    return lines.isEmpty() ? QString() : QString::fromLocal8Bit(lines.last().trimmed());
}

} // namespace

std::optional<LocalBackend::Settings> LocalBackend::Settings::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    r.allowOnly({ QStringLiteral("probePath"), QStringLiteral("chromePath"), QStringLiteral("chromeArguments"),
                    QStringLiteral("region"), QStringLiteral("maxConcurrency"), QStringLiteral("parentGraceSeconds"),
                    QStringLiteral("allowPrivateTargets") },
        QStringLiteral("a local backend setting"));
    Settings s;
    s.probePath = r.string(QStringLiteral("probePath"), JsonReader::Presence::Optional, 4096);
    s.chromePath = r.string(QStringLiteral("chromePath"), JsonReader::Presence::Optional, 4096);
    for (const QJsonValue &argument : r.array(QStringLiteral("chromeArguments"), JsonReader::Presence::Optional, 64)) {
        if (!argument.isString())
            r.fail(QStringLiteral("chromeArguments"), QStringLiteral("expected strings"));
        s.chromeArguments.append(argument.toString());
    }
    if (r.has(QStringLiteral("region")))
        s.region = r.string(QStringLiteral("region"), JsonReader::Presence::Optional, 64);
    s.maxConcurrency = static_cast<int>(
        r.integer(QStringLiteral("maxConcurrency"), JsonReader::Presence::Optional, 1, 64).value_or(s.maxConcurrency));
    s.parentGraceSeconds
        = static_cast<int>(r.integer(QStringLiteral("parentGraceSeconds"), JsonReader::Presence::Optional, 1, 3600)
                               .value_or(s.parentGraceSeconds));
    s.allowPrivateTargets = r.boolean(QStringLiteral("allowPrivateTargets"), s.allowPrivateTargets);
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return s;
}

LocalBackend::LocalBackend(Settings settings, QObject *parent)
    : Backend(parent)
    , m_settings(std::move(settings))
{ }

LocalBackend::~LocalBackend()
{
    // The probes would stop themselves once our connections are gone; asking now is quicker and leaves no
    // process behind even for a moment.
    for (auto it = m_runners.begin(); it != m_runners.end(); ++it) {
        QProcess *process = it->process;
        process->disconnect(this);
        process->terminate();
    }
    for (auto it = m_runners.begin(); it != m_runners.end(); ++it) {
        if (!it->process->waitForFinished(5000)) {
            it->process->kill();
            it->process->waitForFinished(2000);
        }
    }
}

QString LocalBackend::probeExecutable(QString *error) const
{
    QString path = m_settings.probePath;
    if (path.isEmpty()) {
#ifdef Q_OS_WIN
        const QString name = QStringLiteral("worldspeed-probe.exe");
#else
        const QString name = QStringLiteral("worldspeed-probe");
#endif
        const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(name);
        path = QFileInfo(beside).isExecutable() ? beside : QStandardPaths::findExecutable(name);
    }
    const QFileInfo info(path);
    if (path.isEmpty() || !info.isFile() || !info.isExecutable()) {
        if (error) {
            *error = m_settings.probePath.isEmpty()
                ? QStringLiteral("worldspeed-probe was not found next to this program or on PATH")
                : QStringLiteral("%1 is not an executable worldspeed-probe").arg(m_settings.probePath);
        }
        return {};
    }
    return info.absoluteFilePath();
}

qint64 LocalBackend::processId(const QString &runnerId) const
{
    const auto it = m_runners.constFind(runnerId);
    return it == m_runners.constEnd() ? 0 : it->process->processId();
}

void LocalBackend::boot(const QString &runnerId)
{
    QString error;
    const QString program = probeExecutable(&error);
    if (program.isEmpty() || m_runners.contains(runnerId)) {
        if (program.isEmpty())
            qCWarning(lcLocal) << error;
        const QString reason = program.isEmpty() ? error : QStringLiteral("runner %1 is already running").arg(runnerId);
        QMetaObject::invokeMethod(
            this, [this, runnerId, reason] { emit bootFailed(runnerId, reason); }, Qt::QueuedConnection);
        return;
    }

    Runner runner;
    runner.token = RunnerToken::mint();
    runner.process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Through the environment: a token on the command line would be readable by every user of this machine.
    env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), runner.token);
    runner.process->setProcessEnvironment(env);
    QStringList args { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
        QStringLiteral("--region"), m_settings.region, QStringLiteral("--parent-grace"),
        QString::number(m_settings.parentGraceSeconds), QStringLiteral("--max-concurrency"),
        QString::number(m_settings.maxConcurrency) };
    if (m_settings.allowPrivateTargets)
        args << QStringLiteral("--allow-private-targets");
    if (!m_settings.chromePath.isEmpty())
        args << QStringLiteral("--chrome") << m_settings.chromePath;
    for (const QString &argument : m_settings.chromeArguments)
        args << QStringLiteral("--chrome-arg") << argument;
    runner.process->setProgram(program);
    runner.process->setArguments(args);
#ifdef Q_OS_LINUX
    // Should this process die without a word, the kernel tells the probe at once instead of after its grace.
    runner.process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    connect(runner.process, &QProcess::readyReadStandardOutput, this, [this, runnerId] { onReadyRead(runnerId); });
    connect(runner.process, &QProcess::readyReadStandardError, this, [this, runnerId] {
        Runner &r = m_runners[runnerId];
        const QByteArray text = r.process->readAllStandardError();
        for (const QByteArray &line : text.split('\n')) {
            if (!line.trimmed().isEmpty())
                qCInfo(lcLocal).noquote() << runnerId << QString::fromLocal8Bit(line.trimmed());
        }
        r.stderrTail = QByteArray(r.stderrTail + text).right(stderrTailBytes);
    });
    connect(runner.process, &QProcess::finished, this, [this, runnerId] { onFinished(runnerId); });
    connect(runner.process, &QProcess::errorOccurred, this, [this, runnerId](QProcess::ProcessError processError) {
        if (processError == QProcess::FailedToStart)
            onFinished(runnerId);
    });
    QProcess *process = runner.process;
    m_runners.insert(runnerId, runner);
    QTimer::singleShot(m_settings.bootTimeoutMs, process, [this, runnerId] {
        const auto it = m_runners.find(runnerId);
        if (it != m_runners.end() && !it->ready && !it->stopping) {
            const QString reason = QStringLiteral("the local probe did not get ready within %1")
                                       .arg(DisplayFormat::duration(m_settings.bootTimeoutMs));
            it->stopping = true;
            it->process->kill();
            emit bootFailed(runnerId, reason);
        }
    });
    process->start();
    QString jobError;
    if (process->processId() != 0 && !m_job.adopt(process->processId(), &jobError))
        qCWarning(lcLocal) << "local probe" << runnerId << "may outlive the app:" << jobError;
    qCInfo(lcLocal) << "starting local probe" << runnerId;
}

void LocalBackend::onReadyRead(const QString &runnerId)
{
    const auto it = m_runners.find(runnerId);
    if (it == m_runners.end())
        return;
    it->stdoutBuffer += it->process->readAllStandardOutput();
    while (!it->ready) {
        const qsizetype newline = it->stdoutBuffer.indexOf('\n');
        if (newline < 0)
            return;
        const QByteArray line = it->stdoutBuffer.left(newline).trimmed();
        it->stdoutBuffer.remove(0, newline + 1);
        if (!line.startsWith(readyPrefix))
            continue;
        const QJsonObject ready = QJsonDocument::fromJson(line.mid(qstrlen(readyPrefix))).object();
        const QUrl endpoint(ready.value(QStringLiteral("endpoint")).toString());
        if (!endpoint.isValid() || endpoint.port() <= 0) {
            it->stopping = true;
            it->process->kill();
            emit bootFailed(runnerId, QStringLiteral("the local probe printed an unreadable ready line"));
            return;
        }
        it->ready = true;
        ProbeClient::Endpoint result;
        result.url = endpoint;
        result.token = it->token;
        qCInfo(lcLocal) << "local probe" << runnerId << "ready at" << endpoint.toString();
        emit booted(runnerId, result);
    }
    it->stdoutBuffer.clear(); // after the ready line nothing on stdout matters
}

void LocalBackend::onFinished(const QString &runnerId)
{
    const auto it = m_runners.find(runnerId);
    if (it == m_runners.end())
        return;
    const Runner runner = *it;
    m_runners.erase(it);
    runner.process->deleteLater();
    if (runner.stopping)
        return;
    QString why = runner.process->error() == QProcess::FailedToStart
        ? QStringLiteral("cannot start %1: %2").arg(runner.process->program(), runner.process->errorString())
        : QStringLiteral("the local probe exited (code %1)").arg(runner.process->exitCode());
    const QString detail = lastLine(runner.stderrTail);
    if (!detail.isEmpty() && runner.process->error() != QProcess::FailedToStart)
        why += QStringLiteral(": ") + detail;
    if (runner.ready)
        emit lost(runnerId, why);
    else
        emit bootFailed(runnerId, why);
}

void LocalBackend::stop(const QString &runnerId)
{
    const auto it = m_runners.find(runnerId);
    if (it == m_runners.end() || it->stopping)
        return;
    it->stopping = true;
    // SIGTERM: the probe drains, closes Chrome with Browser.close and exits; SIGKILL only if it hangs.
    it->process->terminate();
    QTimer::singleShot(stopGraceMs, it->process, [process = it->process] {
        if (process->state() != QProcess::NotRunning)
            process->kill();
    });
}
