#pragma once

#include <QDir>
#include <QFile>
#include <QProcessEnvironment>
#include <QString>
#include <QTemporaryDir>

// A private HOME, TMPDIR and XDG dirs (and the database) for one or more of the memory benchmark's children;
// removed with the object.
class BenchSandbox final
{
public:
    BenchSandbox()
        : m_root(QDir::tempPath() + QStringLiteral("/worldspeed-membench-XXXXXX"))
    {
        if (!m_root.isValid())
            return;
        const QDir root(m_root.path());
        for (const char *sub : { "home", "tmp", "runtime", "config", "cache", "data" })
            root.mkpath(QString::fromLatin1(sub));
        QFile::setPermissions(root.filePath(QStringLiteral("runtime")),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    Q_DISABLE_COPY_MOVE(BenchSandbox)

    bool isValid() const { return m_root.isValid(); }
    QString errorString() const { return m_root.errorString(); }
    QString database() const { return m_root.filePath(QStringLiteral("data/history.sqlite")); }
    QProcessEnvironment environment() const
    {
        const QDir root(m_root.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), root.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("TMPDIR"), root.filePath(QStringLiteral("tmp")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), root.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), root.filePath(QStringLiteral("data")));
        if (!env.contains(QStringLiteral("QT_QPA_PLATFORM")))
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return env;
    }

private:
    QTemporaryDir m_root;
};
