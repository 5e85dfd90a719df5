#include "childprocessjob.h"

#include <QtGlobal>

#ifdef Q_OS_WIN
#include <windows.h>

namespace {

QString lastErrorText(const char *what)
{
    return QStringLiteral("%1 failed (Windows error %2)").arg(QLatin1String(what)).arg(::GetLastError());
}

} // namespace

ChildProcessJob::ChildProcessJob()
{
    HANDLE job = ::CreateJobObjectW(nullptr, nullptr);
    if (!job) {
        m_createError = lastErrorText("CreateJobObject");
        return;
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        m_createError = lastErrorText("SetInformationJobObject");
        ::CloseHandle(job);
        return;
    }
    m_job = job;
}

ChildProcessJob::~ChildProcessJob()
{
    if (m_job)
        ::CloseHandle(static_cast<HANDLE>(m_job));
}

bool ChildProcessJob::adopt(qint64 processId, QString *error)
{
    if (!m_job) {
        if (error)
            *error = m_createError;
        return false;
    }
    HANDLE process = ::OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE, static_cast<DWORD>(processId));
    if (!process) {
        if (error)
            *error = lastErrorText("OpenProcess");
        return false;
    }
    // Since Windows 8 a process may be in several (nested) jobs: an app started from a shell or an IDE that
    // already uses one can still adopt its children.
    const bool adopted = ::AssignProcessToJobObject(static_cast<HANDLE>(m_job), process) != 0;
    if (!adopted && error)
        *error = lastErrorText("AssignProcessToJobObject");
    ::CloseHandle(process);
    return adopted;
}

#else

ChildProcessJob::ChildProcessJob() = default;

ChildProcessJob::~ChildProcessJob() = default;

bool ChildProcessJob::adopt(qint64 processId, QString *error)
{
    Q_UNUSED(processId)
    Q_UNUSED(error)
    return true;
}

#endif
