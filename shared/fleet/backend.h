#pragma once

#include "probeclient.h"

#include <QObject>
#include <QString>

// Where runners come from: something that can start a worldspeed-probe somewhere and say how to reach it, and
// stop it again. The pool decides when; a backend only knows how (a local process, a probe the user already
// runs, a Fly Machine, a Kubernetes pod). Every answer arrives as a signal on the event loop, never from inside
// the call that asked for it.
class Backend : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Backend)

public:
    using QObject::QObject;

    // "local", "static", "fly", "kubernetes": for logs and the fleet panel.
    virtual QString kind() const = 0;
    // Starts runner `runnerId` (unique within this backend). Answers booted() or bootFailed() for it, once.
    virtual void boot(const QString &runnerId) = 0;
    // Stops the runner, booting or booted; no answer. Stopping an unknown or stopped runner does nothing.
    virtual void stop(const QString &runnerId) = 0;
    // The most runners this backend can provide at once (a static list has its length); -1 for no limit.
    virtual int limit() const { return -1; }

signals:
    // The runner is up: connect a ProbeClient to `endpoint` (it carries the token and any routing headers).
    void booted(const QString &runnerId, const ProbeClient::Endpoint &endpoint);
    // It will not come up; `reason` is in words a user can act on ("quota exceeded in fra: …").
    void bootFailed(const QString &runnerId, const QString &reason);
    // It will not come up until the user changes something: no token in the keychain, a keychain that cannot be
    // read, settings that would send a token in clear text. Trying again cannot help, so the pool fails the runs
    // waiting for it at once instead of retrying until they time out; a later run tries again (the user may have
    // saved the token meanwhile).
    void bootRefused(const QString &runnerId, const QString &reason);
    // A runner that had booted is gone on its own (process exited, machine destroyed).
    void lost(const QString &runnerId, const QString &reason);
};
