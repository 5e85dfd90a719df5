#pragma once

#include "fleet/poolrun.h"

#include <QPointer>
#include <QSignalSpy>
#include <QStringList>

// Everything one PoolRun emitted, for the pool's tests.
struct PoolRunLog
{
    explicit PoolRunLog(PoolRun *run)
        : run(run)
        , statuses(run, &PoolRun::status)
        , requests(run, &PoolRun::requestFinished)
        , metrics(run, &PoolRun::metrics)
        , dones(run, &PoolRun::done)
    { }

    DoneMessage done(qsizetype i = 0) const { return qvariant_cast<DoneMessage>(dones.at(i).at(0)); }
    QString error() const
    {
        const DoneMessage end = done();
        return end.error ? end.error->message : QString();
    }
    LoadError::Kind kind() const
    {
        const DoneMessage end = done();
        return end.error ? end.error->kind : LoadError::Kind::Other;
    }
    RunState state(qsizetype i) const { return qvariant_cast<RunState>(statuses.at(i).at(0)); }
    QString detail(qsizetype i) const { return statuses.at(i).at(1).toString(); }
    QStringList details() const
    {
        QStringList list;
        for (qsizetype i = 0; i < statuses.size(); ++i)
            list.append(detail(i));
        return list;
    }

    QPointer<PoolRun> run;
    QSignalSpy statuses;
    QSignalSpy requests;
    QSignalSpy metrics;
    QSignalSpy dones;
};
