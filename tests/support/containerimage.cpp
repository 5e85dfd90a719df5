#include "containerimage.h"

#include <QFile>
#include <QRegularExpression>

namespace {

QString readSource(const QString &name, QString *error)
{
    QFile file(QStringLiteral(WORLDSPEED_SOURCE_DIR "/packaging/container/") + name);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

// The first capture of `pattern` (one line, multi-line mode) in `text`, or empty.
QString capture(const QString &text, const QString &pattern)
{
    return QRegularExpression(pattern, QRegularExpression::MultilineOption).match(text).captured(1);
}

} // namespace

ContainerImage ContainerImage::fromSources(QString *error)
{
    ContainerImage image;
    const QString containerfile = readSource(QStringLiteral("Containerfile"), error);
    const QString entrypoint = readSource(QStringLiteral("entrypoint.sh"), error);
    const QString runOptions = readSource(QStringLiteral("run-options"), error);
    if (!error->isEmpty())
        return image;
    const QRegularExpressionMatch user
        = QRegularExpression(QStringLiteral("^USER (\\d+):(\\d+)$"), QRegularExpression::MultilineOption)
              .match(containerfile);
    image.uid = user.hasMatch() ? user.captured(1).toInt() : -1;
    image.gid = user.hasMatch() ? user.captured(2).toInt() : -1;
    const QString exposed = capture(containerfile, QStringLiteral("^EXPOSE (\\d+)$"));
    const QString listened
        = capture(entrypoint, QStringLiteral("^exec worldspeed-probe serve --listen 0\\.0\\.0\\.0:(\\d+) "));
    image.port = !exposed.isEmpty() && exposed == listened ? exposed.toInt() : -1;
    image.healthCommand = capture(containerfile, QStringLiteral("^HEALTHCHECK .* CMD \\[\"([^\"]+)\"\\]$"));
    image.tokenPath = capture(entrypoint, QStringLiteral("^token_path=(/\\S+)$"));
    image.seccompProfile = capture(runOptions, QStringLiteral("^--security-opt=seccomp=(\\S+)$"));
    if (image.uid < 0 || image.port < 0 || image.healthCommand.isEmpty() || image.tokenPath.isEmpty()
        || image.seccompProfile.isEmpty()) {
        *error = QStringLiteral("packaging/container no longer says its user, port (EXPOSE = the entry point's "
                                "--listen), health command, token path or seccomp profile where this reads them");
    }
    return image;
}
