#pragma once

#include <QString>

// Ties the lives of the processes we start to ours where the system does not do it for us.
//
// On Linux each child asks the kernel itself, in its child-process modifier (PR_SET_PDEATHSIG): that is where the
// local probes and the browser are started, and this class does nothing there. On Windows a child outlives a
// killed parent, so a job object holds them: it is made with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, and when its last
// handle closes (our process ends, however it ends, or this object is destroyed) Windows ends every process in it.
// A process started by a process in the job joins the job, so a probe's browser and the browser's helpers go too:
// a killed app takes its local probes and their browsers with it, and a killed probe its browser.
//
// A child is adopted right after it started; what it starts in the moment before, it starts outside the job. The
// probe starts its browser only when asked to, and Chrome starts its helpers only once it has initialised, so
// nothing we start falls into that moment.
class ChildProcessJob final
{
public:
    ChildProcessJob();
    ~ChildProcessJob();
    ChildProcessJob(const ChildProcessJob &) = delete;
    ChildProcessJob &operator=(const ChildProcessJob &) = delete;

    // Puts a started process into the job. False with *error when the system refused (the process then lives on
    // its own, as it would without a job); always true where there is no job to put it in.
    bool adopt(qint64 processId, QString *error);

private:
    [[maybe_unused]] void *m_job = nullptr; // the job object's HANDLE on Windows (unused elsewhere)
    QString m_createError;
};
