#include "profilefolders.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSysInfo>

#include <optional>
#include <utility>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcProfiles, "worldspeed.chrome.profiles", QtWarningMsg)

namespace {

const QString pattern = QStringLiteral("worldspeed-chrome-XXXXXX");
// Inside each profile folder: the PID of the probe that made it, so a later probe can tell a folder whose owner
// is gone (killed outright, so it could not clean up) from one in use.
const QString ownerFile = QStringLiteral("owner.pid");
// And the browser's process group: Chrome's helpers (zygotes, network and storage services, renderers) share it,
// and may outlive the browser by a moment, writing into the profile (Reporting and NEL, Network Persistent State)
// while it is being removed.
const QString browserFile = QStringLiteral("browser.pgid");

bool processIsAlive(qint64 pid)
{
#ifdef Q_OS_UNIX
    // Signal 0 checks without sending; EPERM means it exists but is someone else's, which counts as alive.
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
#else
    Q_UNUSED(pid);
    return true; // no cheap portable check: keep the folder (the system's temp clean-up still removes it)
#endif
}

// Whether a running browser uses a profile folder. Chrome holds profile/SingletonLock, a link to "<host>-<pid>",
// while it runs; one killed outright leaves it behind, so its process is checked (on another host's, say through a
// shared /tmp, it cannot be: that counts as in use). A probe from before owner.pid, which drove its browser over
// DevTools' port, also kept profile/DevToolsActivePort there.
bool browserUses(const QDir &folder)
{
    if (QFileInfo::exists(folder.filePath(QStringLiteral("profile/DevToolsActivePort"))))
        return true;
    const QFileInfo lock(folder.filePath(QStringLiteral("profile/SingletonLock")));
    if (!lock.isSymLink())
        return false;
    const QString owner = QFileInfo(lock.symLinkTarget()).fileName();
    const qsizetype dash = owner.lastIndexOf(u'-');
    bool ok = false;
    const qint64 pid = owner.mid(dash + 1).toLongLong(&ok);
    if (dash <= 0 || !ok || pid <= 0 || owner.left(dash) != QSysInfo::machineHostName())
        return true;
    return processIsAlive(pid);
}

// A profile folder without owner.pid that no browser uses, and a minute old: far longer than a probe takes to
// write owner.pid after making the folder.
bool isLitter(const QFileInfo &folder)
{
    return folder.lastModified().secsTo(QDateTime::currentDateTime()) >= 60
        && !browserUses(QDir(folder.absoluteFilePath()));
}

// Only the probe's own user's folders are its business; another user's are not even looked into.
bool ownedByUs(const QString &path)
{
#ifdef Q_OS_UNIX
    struct stat info
    { };
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 && S_ISDIR(info.st_mode)
        && info.st_uid == ::geteuid();
#else
    return !QFileInfo(path).isSymLink();
#endif
}

enum class Owner { Missing, Unreadable, Pid };

// A PID file (owner.pid, browser.pgid) as a regular file only: not through a link, and opened without blocking,
// since a FIFO would hold open() (and the event loop) until somebody wrote to it.
Owner readPidFile(const QString &folder, const QString &fileName, qint64 *pid)
{
    QByteArray text;
#ifdef Q_OS_UNIX
    const int fd = ::open(
        QFile::encodeName(QDir(folder).filePath(fileName)).constData(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? Owner::Missing : Owner::Unreadable;
    struct stat info
    { };
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
        char buffer[32];
        const ssize_t length = ::read(fd, buffer, sizeof buffer);
        if (length > 0)
            text = QByteArray(buffer, length);
    }
    ::close(fd);
#else
    QFile file(QDir(folder).filePath(fileName));
    if (!file.open(QIODevice::ReadOnly))
        return Owner::Missing;
    text = file.read(32);
#endif
    bool ok = false;
    *pid = text.trimmed().toLongLong(&ok);
    return ok && *pid > 0 ? Owner::Pid : Owner::Unreadable;
}

#ifdef Q_OS_LINUX
// A /proc stat line's state and process group: "pid (comm) state ppid pgrp …", where comm may hold spaces and
// parentheses, so the fields count from the last ')'.
std::optional<std::pair<QByteArray, int>> stateAndGroup(const QString &statPath)
{
    QFile statFile(statPath);
    if (!statFile.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray stat = statFile.read(1024);
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 3)
        return std::nullopt;
    return std::make_pair(fields.at(0), fields.at(2).toInt());
}

// Where to read a process's environment: its own /proc entry, or, when its main thread has exited but other threads
// still run (Chrome's services shutting down: the leader shows "Z", the process is not gone, and its threads still
// write into the profile), a live thread's. Empty when every thread has exited.
QString environmentPath(const QDir &process, const QByteArray &state)
{
    if (state != "Z")
        return process.filePath(QStringLiteral("environ"));
    const QDir tasks(process.filePath(QStringLiteral("task")));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const auto thread = stateAndGroup(tasks.filePath(task + QStringLiteral("/stat")));
        if (thread && thread->first != "Z" && thread->first != "X")
            return tasks.filePath(task + QStringLiteral("/environ"));
    }
    return {};
}

// The live processes of our user in process group `group` that belong to the profile folder: their environment
// names its tmp folder, as ChromeProcess set it. A helper that made itself undumpable hides its environment; its
// group and user then stand for it, since a group lives as long as any member and its number cannot be taken
// meanwhile. A process is live while any of its threads is, even once its main thread has exited.
QList<pid_t> browserProcesses(pid_t group, const QString &folder)
{
    QList<pid_t> found;
    const QByteArray marker = "TMPDIR=" + QFile::encodeName(QDir(folder).filePath(QStringLiteral("tmp"))) + '\0';
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &name : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const pid_t pid = name.toInt(&ok);
        if (!ok)
            continue;
        const auto process = stateAndGroup(proc.filePath(name + QStringLiteral("/stat")));
        if (!process || process->second != group)
            continue;
        const QString environmentFile = environmentPath(QDir(proc.filePath(name)), process->first);
        if (environmentFile.isEmpty())
            continue; // a zombie: nothing of it runs
        struct stat owner
        { };
        if (::stat(QFile::encodeName(proc.filePath(name)).constData(), &owner) != 0 || owner.st_uid != ::geteuid())
            continue;
        QFile environ(environmentFile);
        if (environ.open(QIODevice::ReadOnly) && !environ.readAll().contains(marker))
            continue;
        found.append(pid);
    }
    return found;
}
#endif

#ifdef Q_OS_UNIX
bool removeContents(int directory);

// Removes the entry `name` of an open directory; a directory's contents first. Never follows a link: lstat-like
// checks and O_NOFOLLOW, and unlinkat() removes a link itself.
bool removeEntry(int directory, const char *name)
{
    struct stat info
    { };
    if (::fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(info.st_mode))
        return ::unlinkat(directory, name, 0) == 0 || errno == ENOENT;
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int child = ::openat(directory, name, flags);
    if (child < 0 && errno == EACCES) {
        // A folder we may not even list (Chrome makes some read-only): ours, so we may change that.
        ::fchmodat(directory, name, S_IRWXU, 0);
        child = ::openat(directory, name, flags);
    }
    if (child < 0)
        return false;
    // Chrome's last helper processes may still write into a profile being removed; what they add meanwhile
    // makes the folder not empty, so it is emptied again, a few times.
    bool removed = false;
    for (int attempt = 0; attempt < 3 && !removed; ++attempt) {
        removeContents(child);
        removed = ::unlinkat(directory, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
    }
    ::close(child);
    return removed;
}

bool removeContents(int directory)
{
    // Without write permission on a folder, nothing in it can be deleted.
    struct stat info
    { };
    if (::fstat(directory, &info) == 0 && (info.st_mode & S_IRWXU) != S_IRWXU)
        ::fchmod(directory, info.st_mode | S_IRWXU);
    const int listing = ::dup(directory);
    if (listing < 0)
        return false;
    DIR *dir = ::fdopendir(listing);
    if (!dir) {
        ::close(listing);
        return false;
    }
    QList<QByteArray> names;
    while (const dirent *entry = ::readdir(dir)) {
        const QByteArray name(entry->d_name);
        if (name != "." && name != "..")
            names.append(name);
    }
    ::closedir(dir);
    bool ok = true;
    for (const QByteArray &name : std::as_const(names))
        ok = removeEntry(directory, name.constData()) && ok;
    return ok;
}
#endif

} // namespace

QString ProfileFolders::namePattern()
{
    return pattern;
}

QString ProfileFolders::ownerFileName()
{
    return ownerFile;
}

bool ProfileFolders::removeTree(const QString &path)
{
#ifdef Q_OS_UNIX
    const QFileInfo info(path);
    const QByteArray parent = QFile::encodeName(info.absolutePath());
    const int directory = ::open(parent.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0)
        return false;
    struct stat entry
    { };
    const QByteArray name = QFile::encodeName(info.fileName());
    bool removed = false;
    if (::fstatat(directory, name.constData(), &entry, AT_SYMLINK_NOFOLLOW) != 0)
        removed = errno == ENOENT;
    else if (S_ISDIR(entry.st_mode))
        removed = removeEntry(directory, name.constData());
    ::close(directory);
    return removed;
#else
    return !QFileInfo(path).isSymLink() && QDir(path).removeRecursively();
#endif
}

QString ProfileFolders::browserGroupFileName()
{
    return browserFile;
}

void ProfileFolders::recordBrowserGroup(const QString &folder, qint64 group)
{
    QFile file(QDir(folder).filePath(browserFile));
    if (file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        file.write(QByteArray::number(group));
}

void ProfileFolders::endBrowserProcesses(const QString &folder)
{
#ifdef Q_OS_LINUX
    qint64 group = 0;
    if (readPidFile(folder, browserFile, &group) != Owner::Pid || group <= 1)
        return;
    // Killed ones turn into zombies at once, which browserProcesses() leaves out; a short wait covers the kernel's
    // tearing down. They are the group's last members, which Chrome would end itself a moment later anyway.
    for (int round = 0; round < 100; ++round) {
        const QList<pid_t> processes = browserProcesses(static_cast<pid_t>(group), folder);
        if (processes.isEmpty())
            return;
        for (const pid_t pid : processes)
            ::kill(pid, SIGKILL);
        ::usleep(20'000);
    }
    qCWarning(lcProfiles) << "the browser's helper processes did not end:" << folder;
#else
    Q_UNUSED(folder);
#endif
}

int ProfileFolders::sweepAbandoned(const QString &parent)
{
    int removed = 0;
    const QString prefix = pattern.left(pattern.indexOf(u'X'));
    const QDir dir(parent);
    for (const QFileInfo &entry :
        dir.entryInfoList({ prefix + u'*' }, QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
        const QString path = entry.absoluteFilePath();
        if (entry.isSymLink() || !ownedByUs(path))
            continue; // not ours to follow, nor to judge
        qint64 pid = 0;
        switch (readPidFile(path, ownerFile, &pid)) {
        case Owner::Missing:
            // Chrome's helper processes can outlive the browser by a moment, and its network service then writes a
            // few files (Reporting and NEL, Network Persistent State) into the profile just removed, recreating
            // its folders without our owner.pid.
            if (isLitter(entry) && removeTree(path))
                ++removed;
            break;
        case Owner::Unreadable:
            break; // another program's, or a probe's that has not written its PID yet
        case Owner::Pid:
            if (processIsAlive(pid))
                break;
            endBrowserProcesses(path);
            if (removeTree(path)) {
                ++removed;
                qCInfo(lcProfiles) << "removed the profile folder of a probe that is gone:" << path;
            }
            break;
        }
    }
    return removed;
}
