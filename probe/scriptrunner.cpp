#include "scriptrunner.h"

#include "cdpconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace {

using Kind = ScriptCommand::Kind;

constexpr int commandTimeoutMs = 15'000;

QString jsString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

// The expression that does `body` to the selected element, and is false when there is none.
QString onElement(const ElementSelector &selector, const QString &value, const QString &body)
{
    return QStringLiteral("(() => { const e = %1; if (!e) return false; %2; return true; })()")
        .arg(selector.expression(value), body);
}

} // namespace

ScriptRunner::ScriptRunner(TestScript script, TestSettings settings, DeviceProfile device, CdpConnection *cdp,
    QString sessionId, QString frameId, QObject *parent)
    : QObject(parent)
    , m_script(std::move(script))
    , m_settings(std::move(settings))
    , m_headersAsGiven(m_settings.headers)
    , m_device(std::move(device))
    , m_cdp(cdp)
    , m_sessionId(std::move(sessionId))
    , m_frameId(std::move(frameId))
{
    m_timer.setSingleShot(true);
}

QString ScriptRunner::arg(const ScriptCommand &command, int index) const
{
    return m_settings.resolve(command.args.value(index));
}

QString ScriptRunner::position() const
{
    const ScriptCommand &command = m_script.commands().at(std::min(m_index, m_script.commands().size() - 1));
    return QStringLiteral("line %1 (%2)")
        .arg(command.line)
        .arg(QString(command.name() + u' ' + command.args.join(u' ')).trimmed().left(120));
}

QString ScriptRunner::stepUrl() const
{
    return step().kind == Kind::Navigate ? arg(step(), 0) : QString();
}

void ScriptRunner::runUntilStep()
{
    m_running = true;
    next();
}

void ScriptRunner::next()
{
    if (!m_running)
        return;
    if (m_index >= m_script.measuredSteps().at(m_step)) {
        m_running = false;
        emit stepReached();
        return;
    }
    run(m_script.commands().at(m_index));
}

void ScriptRunner::fail(const LoadError &error)
{
    if (!m_running)
        return;
    m_running = false;
    m_timer.stop();
    emit failed(error);
}

void ScriptRunner::run(const ScriptCommand &command)
{
    const auto done = [this] {
        ++m_index;
        next();
    };
    switch (command.kind) {
    case Kind::LogData:
        return done();
    case Kind::Navigate:
        awaitLoad();
        m_cdp->send(QStringLiteral("Page.navigate"), { { QStringLiteral("url"), arg(command, 0) } }, m_sessionId, this,
            [this](const CdpReply &reply) {
                const QString errorText = reply.result.value(QStringLiteral("errorText")).toString();
                if (!reply.ok())
                    fail(LoadError { LoadError::Kind::Other, QStringLiteral("%1: %2").arg(position(), reply.error) });
                else if (!errorText.isEmpty() && !errorText.contains(u"ERR_HTTP_RESPONSE_CODE_FAILURE"))
                    fail(LoadError { LoadError::kindOfNetError(errorText),
                        QStringLiteral("%1 could not be loaded: %2").arg(position(), errorText) });
            });
        return;
    case Kind::Sleep:
        m_timer.callOnTimeout(this, done, Qt::SingleShotConnection);
        m_timer.start(command.args.first().toInt() * 1000);
        return;
    case Kind::WaitFor:
        return waitFor(command);
    case Kind::ClickAndWait:
    case Kind::SubmitForm:
    case Kind::ExecAndWait:
        awaitLoad();
        return evaluate(command, action(command), [](bool) {});
    case Kind::SetValue:
    case Kind::SetInnerText:
    case Kind::SetInnerHtml:
    case Kind::Click:
    case Kind::Exec:
        return evaluate(command, action(command), [done](bool) { done(); });
    default:
        applySetting(command);
        return done();
    }
}

QString ScriptRunner::action(const ScriptCommand &command) const
{
    if (command.kind == Kind::Exec || command.kind == Kind::ExecAndWait)
        return arg(command, 0);
    const ElementSelector selector = ElementSelector::parse(command.args.first(), nullptr).value_or(ElementSelector {});
    const QString target = m_settings.resolve(selector.value);
    const QString value = jsString(arg(command, 1));
    switch (command.kind) {
    case Kind::SetValue:
        // As typing would: the page's own listeners hear of the new value.
        return onElement(selector, target,
            QStringLiteral("e.value = %1; e.dispatchEvent(new Event('input', { bubbles: true })); "
                           "e.dispatchEvent(new Event('change', { bubbles: true }))")
                .arg(value));
    case Kind::SetInnerText:
        return onElement(selector, target, QStringLiteral("e.innerText = %1").arg(value));
    case Kind::SetInnerHtml:
        return onElement(selector, target, QStringLiteral("e.innerHTML = %1").arg(value));
    case Kind::SubmitForm:
        // As WebPageTest does: the form's own submit(), which a field named "submit" cannot shadow.
        return onElement(selector, target,
            QStringLiteral("HTMLFormElement.prototype.submit.call(e instanceof HTMLFormElement ? e : e.form)"));
    default:
        return onElement(selector, target, QStringLiteral("e.click()"));
    }
}

void ScriptRunner::evaluate(const ScriptCommand &command, const QString &expression, std::function<void(bool)> then)
{
    const bool onElementCommand = command.kind != Kind::Exec && command.kind != Kind::ExecAndWait;
    const bool waits = command.loadsPage();
    m_cdp->send(
        QStringLiteral("Runtime.evaluate"),
        { { QStringLiteral("expression"), expression }, { QStringLiteral("returnByValue"), true },
            { QStringLiteral("userGesture"), true } },
        m_sessionId, this,
        [this, onElementCommand, waits, then = std::move(then)](const CdpReply &reply) {
            // An action that navigates may take its page, and so the answer, with it: that is success.
            if (!m_running)
                return;
            if (!reply.ok()) {
                if (!waits)
                    fail(LoadError {
                        LoadError::Kind::Other, QStringLiteral("%1 failed: %2").arg(position(), reply.error) });
                return;
            }
            const QJsonObject exception = reply.result.value(QStringLiteral("exceptionDetails")).toObject();
            if (!exception.isEmpty()) {
                // The exception's text can quote the page's values; PageLoad masks the test's secrets in it.
                const QString text = exception.value(QStringLiteral("exception"))
                                         .toObject()
                                         .value(QStringLiteral("description"))
                                         .toString(exception.value(QStringLiteral("text")).toString());
                return fail(LoadError { LoadError::Kind::Other,
                    QStringLiteral("%1 threw: %2").arg(position(), text.section(u'\n', 0, 0).left(300)) });
            }
            const QJsonObject result = reply.result.value(QStringLiteral("result")).toObject();
            if (onElementCommand && result.value(QStringLiteral("value")) == QJsonValue(false))
                return fail(LoadError { LoadError::Kind::Other,
                    QStringLiteral("%1: no element on %2 matches").arg(position(), m_pageUrl) });
            then(true);
        },
        std::chrono::milliseconds(commandTimeoutMs));
}

void ScriptRunner::waitFor(const ScriptCommand &command)
{
    // Until the condition holds; the run's time limit ends a wait that never does.
    const QString expression = QStringLiteral("!!(%1)").arg(arg(command, 0));
    m_cdp->send(
        QStringLiteral("Runtime.evaluate"),
        { { QStringLiteral("expression"), expression }, { QStringLiteral("returnByValue"), true } }, m_sessionId, this,
        [this, command](const CdpReply &reply) {
            if (!m_running)
                return;
            const bool holds
                = reply.result.value(QStringLiteral("result")).toObject().value(QStringLiteral("value")).toBool();
            if (holds) {
                ++m_index;
                return next();
            }
            m_timer.callOnTimeout(
                this, [this, command] { waitFor(command); }, Qt::SingleShotConnection);
            m_timer.start(pollIntervalMs);
        },
        std::chrono::milliseconds(commandTimeoutMs));
}

void ScriptRunner::applySetting(const ScriptCommand &command)
{
    const auto hosts = [](const QString &text) {
        return text.toLower().split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
    };
    switch (command.kind) {
    case Kind::SetCookie: {
        const auto cookie = CookieSetting::parse(command.args.at(1), nullptr).value_or(CookieSetting {});
        QJsonObject item { { QStringLiteral("name"), cookie.name },
            { QStringLiteral("value"), m_settings.resolve(cookie.value) }, { QStringLiteral("url"), arg(command, 0) } };
        if (!cookie.domain.isEmpty())
            item.insert(QStringLiteral("domain"), cookie.domain);
        m_cdp->send(
            QStringLiteral("Network.setCookies"), { { QStringLiteral("cookies"), QJsonArray { item } } }, m_sessionId);
        return;
    }
    case Kind::SetHeader:
    case Kind::AddHeader: {
        HeaderSetting header = HeaderSetting::parse(command.args.first(), nullptr).value_or(HeaderSetting {});
        header.host = command.args.value(1).toLower();
        const auto same = [&header](const HeaderSetting &other) {
            return other.host == header.host && other.name.compare(header.name, Qt::CaseInsensitive) == 0;
        };
        const auto existing = std::find_if(m_settings.headers.begin(), m_settings.headers.end(), same);
        // One header of a name goes out once: addHeader joins its value to the one set before, as HTTP would.
        if (existing != m_settings.headers.end() && command.kind == Kind::AddHeader)
            existing->value += QStringLiteral(", ") + header.value;
        else if (existing != m_settings.headers.end())
            *existing = header;
        else
            m_settings.headers.append(header);
        break;
    }
    case Kind::ResetHeaders:
        m_settings.headers = m_headersAsGiven;
        break;
    case Kind::Block:
        m_settings.block.append(command.args.first().split(u' ', Qt::SkipEmptyParts));
        break;
    case Kind::BlockDomains:
        m_settings.blockDomains.append(hosts(command.args.first()));
        break;
    case Kind::BlockDomainsExcept:
        m_settings.blockDomainsExcept.append(hosts(command.args.first()));
        break;
    case Kind::SetUserAgent:
        m_settings.userAgent = arg(command, 0);
        emit deviceChanged(m_device, m_settings.userAgent);
        break;
    case Kind::SetViewportSize:
        m_device.width = command.args.at(0).toInt();
        m_device.height = command.args.at(1).toInt();
        emit deviceChanged(m_device, m_settings.userAgent);
        return;
    case Kind::EmulateMobile:
        m_device
            = DeviceProfile::parse(command.args.value(0, QStringLiteral("moto-g-power")), nullptr).value_or(m_device);
        emit deviceChanged(m_device, m_settings.userAgent);
        return;
    default:
        return;
    }
    emit settingsChanged(m_settings);
}

void ScriptRunner::awaitLoad()
{
    m_awaitingLoad = true;
    m_navigated = false;
}

void ScriptRunner::handleEvent(const QString &method, const QJsonObject &params)
{
    if (method == u"Page.frameNavigated") {
        const QJsonObject frame = params.value(QStringLiteral("frame")).toObject();
        if (frame.value(QStringLiteral("id")).toString() != m_frameId || frame.contains(QStringLiteral("parentId")))
            return;
        m_pageUrl = frame.value(QStringLiteral("url")).toString();
        m_navigated = true;
        if (m_running && m_awaitingLoad && m_pageUrl.startsWith(u"chrome-error:"))
            fail(LoadError { LoadError::Kind::Other, QStringLiteral("%1 led to an error page").arg(position()) });
    } else if (method == u"Page.loadEventFired" && m_running && m_awaitingLoad && m_navigated) {
        m_awaitingLoad = false;
        ++m_index;
        next();
    }
}

bool ScriptRunner::advanceStep()
{
    if (m_step + 1 >= m_script.measuredSteps().size())
        return false;
    m_running = false;
    m_timer.stop();
    m_index = m_script.measuredSteps().at(m_step) + 1;
    ++m_step;
    return true;
}

void ScriptRunner::startStep()
{
    m_index = m_script.measuredSteps().at(m_step);
    if (step().kind == Kind::Navigate)
        return;
    // The view is open: what the step loads is PageLoad's to watch; this only does the action (a failure to do it
    // is failed(), as before the step).
    m_running = true;
    // Only this step's action ends here: a late answer must not stop the run on its way to the next step.
    evaluate(step(), action(step()), [this, step = m_step](bool) {
        if (step == m_step)
            m_running = false;
    });
}
