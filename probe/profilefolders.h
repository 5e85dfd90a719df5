#pragma once

#include <QString>

// The browser profile folders a probe makes under the system's temporary folder (worldspeed-chrome-XXXXXX, each
// with an owner.pid naming the probe that made it), and their removal.
//
// The temporary folder is shared with every other user, so nothing in it is trusted: the sweep touches only
// folders owned by the probe's own user, reads owner.pid without following a link and without blocking (a FIFO
// planted there must not stall the probe's event loop), and removal never follows a symbolic link: a link is
// removed itself, never what it points to. Chrome leaves some folders read-only; removal makes them writable first,
// or they would outlive it ("Unable to remove … read-only files").
class ProfileFolders final
{
public:
    ProfileFolders() = delete;

    // The pattern of a profile folder's name, for QTemporaryDir.
    static QString namePattern();
    static QString ownerFileName();
    static QString browserGroupFileName();

    // Notes the browser's process group (ChromeProcess starts the browser as a group leader) in its profile folder.
    static void recordBrowserGroup(const QString &folder, qint64 group);
    // Ends what is left of the browser whose group the folder names (its helpers outlive it by a moment and write
    // into the profile), and waits until they are gone, so that a removal that follows stays removed. Linux only.
    static void endBrowserProcesses(const QString &folder);

    // Removes the profile folders under `parent` whose probe is gone: one killed outright (SIGKILL, OOM) takes its
    // browser with it (PR_SET_PDEATHSIG) but cannot delete the folder; the browser's helpers are ended first. Also
    // folders without an owner and a browser, a minute old, which Chrome's last helper processes recreate after a
    // removal. Returns how many it removed.
    static int sweepAbandoned(const QString &parent);

    // Deletes `path` and everything below it, whatever its permissions, following no symbolic link. A `path` that
    // is itself a link is left alone. True when nothing is left.
    static bool removeTree(const QString &path);
};
