#pragma once

#include "model/deviceprofile.h"
#include "model/loaderror.h"
#include "model/testscript.h"
#include "model/testsettings.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>

class CdpConnection;

// Runs a TestScript's commands in a PageLoad's page, through DevTools: everything before the measured step (a login,
// unmeasured: no request of it is tracked), then, when PageLoad opens the view, the measured step's own action.
// A script with several measured steps goes round again: once PageLoad has ended a step's view, advanceStep() and
// runUntilStep() run what lies between it and the next one, in the same page (its cookies and storage kept).
//
// It drives the page only. What it changes of the test (headers, blocks, user agent, device) it reports with
// settingsChanged() and deviceChanged(), so that PageLoad, which decides on every request (the URL policy first of
// all, for every navigation a script causes too) and sets up every frame and worker, applies it everywhere.
// Its messages name a command by its line and arguments as written, so they never hold a resolved secret.
class ScriptRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptRunner)

public:
    // How often waitFor asks the page again.
    static constexpr int pollIntervalMs = 100;

    ScriptRunner(TestScript script, TestSettings settings, DeviceProfile device, CdpConnection *cdp, QString sessionId,
        QString frameId, QObject *parent = nullptr);

    // Runs the commands up to the measured step; then stepReached(), or failed().
    void runUntilStep();
    bool running() const { return m_running; }
    // "line 5 (submitForm id=login)": where the script is, for a message.
    QString position() const;

    const ScriptCommand &step() const { return m_script.commands().at(m_script.measuredSteps().at(m_step)); }
    // The current measured step's setEventName, or empty.
    QString stepName() const { return m_script.stepName(m_step); }
    // Moves on to the next measured step, after the current one's view has ended; false when it was the last.
    bool advanceStep();
    // The URL the measured step navigates to (its secrets resolved), or empty when it is not a navigate.
    QString stepUrl() const;
    // The page's URL as last committed: what a step that is not a navigate starts from.
    const QString &pageUrl() const { return m_pageUrl; }
    // Sends the measured step's action, unless it is a navigate (PageLoad navigates itself); an action the page
    // could not do (no such element, a script that threw) is failed().
    void startStep();

    // The page session's events while the script runs.
    void handleEvent(const QString &method, const QJsonObject &params);
    // Ends the script with this error (a navigation the URL policy refused).
    void fail(const LoadError &error);

signals:
    void stepReached();
    void failed(const LoadError &error);
    void settingsChanged(const TestSettings &settings);
    void deviceChanged(const DeviceProfile &device, const QString &userAgent);

private:
    void next();
    void run(const ScriptCommand &command);
    void applySetting(const ScriptCommand &command);
    void evaluate(const ScriptCommand &command, const QString &expression, std::function<void(bool)> then);
    void waitFor(const ScriptCommand &command);
    void awaitLoad();
    QString action(const ScriptCommand &command) const;
    QString arg(const ScriptCommand &command, int index) const;

    TestScript m_script;
    TestSettings m_settings;
    QList<HeaderSetting> m_headersAsGiven; // resetHeaders goes back to these
    DeviceProfile m_device;
    QPointer<CdpConnection> m_cdp;
    QString m_sessionId;
    QString m_frameId;
    qsizetype m_index = 0;
    qsizetype m_step = 0; // into m_script.measuredSteps()
    bool m_running = false;
    bool m_awaitingLoad = false;
    bool m_navigated = false;
    QString m_pageUrl;
    QTimer m_timer; // sleep and waitFor
};
