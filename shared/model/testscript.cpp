#include "testscript.h"

#include "deviceprofile.h"
#include "testsettings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

namespace {

using Kind = ScriptCommand::Kind;

// Checks a command's arguments; returns why they are wrong, or an empty string.
using Check = QString (*)(const QStringList &args);

struct Syntax
{
    Kind kind;
    const char *name;
    int minArgs;
    int maxArgs;
    Check check;
};

QString checkUrl(const QString &text)
{
    // A secret may stand for part of a URL (a token in its query): it is checked as written.
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (scheme != u"http" && scheme != u"https"))
        return QStringLiteral("\"%1\" is not an http or https URL").arg(text);
    return {};
}

QString checkSelector(const QString &text)
{
    QString error;
    ElementSelector::parse(text, &error);
    return error;
}

QString checkNothing(const QStringList &)
{
    return {};
}

QString checkHosts(const QString &text)
{
    static const QRegularExpression host(QStringLiteral("^[A-Za-z0-9.-]{1,253}$"));
    const QStringList hosts = text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
    if (hosts.isEmpty() || hosts.size() > TestSettings::maxItems)
        return QStringLiteral("give 1 to %1 host names").arg(TestSettings::maxItems);
    for (const QString &name : hosts) {
        if (!host.match(name).hasMatch())
            return QStringLiteral("\"%1\" is not a host name").arg(name);
    }
    return {};
}

QString checkHeader(const QStringList &args)
{
    QString error;
    if (!HeaderSetting::parse(args.first(), &error))
        return error;
    if (args.size() > 1)
        return checkHosts(args.at(1)).isEmpty() && !args.at(1).contains(u',') && !args.at(1).contains(u' ')
            ? QString()
            : QStringLiteral("\"%1\" is not one host name").arg(args.at(1));
    return {};
}

const QList<Syntax> &syntax()
{
    static const QList<Syntax> table {
        { Kind::Navigate, "navigate", 1, 1, [](const QStringList &a) { return checkUrl(a.first()); } },
        { Kind::LogData, "logData", 1, 1,
            [](const QStringList &a) {
                return a.first() == u"0" || a.first() == u"1" ? QString() : QStringLiteral("logData takes 0 or 1");
            } },
        { Kind::SetEventName, "setEventName", 1, 1,
            [](const QStringList &a) {
                return a.first().trimmed().isEmpty() || a.first().size() > TestScript::maxStepNameLength
                    ? QStringLiteral("a step's name is 1 to %1 characters").arg(TestScript::maxStepNameLength)
                    : QString();
            } },
        { Kind::SetValue, "setValue", 2, 2, [](const QStringList &a) { return checkSelector(a.first()); } },
        { Kind::SetInnerText, "setInnerText", 2, 2, [](const QStringList &a) { return checkSelector(a.first()); } },
        { Kind::SetInnerHtml, "setInnerHTML", 2, 2, [](const QStringList &a) { return checkSelector(a.first()); } },
        { Kind::Click, "click", 1, 1, [](const QStringList &a) { return checkSelector(a.first()); } },
        { Kind::ClickAndWait, "clickAndWait", 1, 1, [](const QStringList &a) { return checkSelector(a.first()); } },
        { Kind::SubmitForm, "submitForm", 1, 1, [](const QStringList &a) { return checkSelector(a.first()); } },
        { Kind::Exec, "exec", 1, 1, checkNothing },
        { Kind::ExecAndWait, "execAndWait", 1, 1, checkNothing },
        { Kind::Sleep, "sleep", 1, 1,
            [](const QStringList &a) {
                bool ok = false;
                const int seconds = a.first().toInt(&ok);
                return ok && seconds >= 0 && seconds <= TestScript::maxSleepSeconds
                    ? QString()
                    : QStringLiteral("sleep takes whole seconds from 0 to %1").arg(TestScript::maxSleepSeconds);
            } },
        { Kind::SetCookie, "setCookie", 2, 2,
            [](const QStringList &a) {
                QString error = checkUrl(a.first());
                if (error.isEmpty())
                    CookieSetting::parse(a.at(1), &error);
                return error;
            } },
        { Kind::SetHeader, "setHeader", 1, 2, checkHeader },
        { Kind::AddHeader, "addHeader", 1, 2, checkHeader },
        { Kind::ResetHeaders, "resetHeaders", 0, 0, checkNothing },
        { Kind::SetUserAgent, "setUserAgent", 1, 1,
            [](const QStringList &a) {
                return a.first().size() <= 1024 ? QString() : QStringLiteral("a user agent is at most 1024 characters");
            } },
        { Kind::Block, "block", 1, 1,
            [](const QStringList &a) {
                return a.first().split(u' ', Qt::SkipEmptyParts).size() <= TestSettings::maxItems
                    ? QString()
                    : QStringLiteral("at most %1 patterns").arg(TestSettings::maxItems);
            } },
        { Kind::BlockDomains, "blockDomains", 1, 1, [](const QStringList &a) { return checkHosts(a.first()); } },
        { Kind::BlockDomainsExcept, "blockDomainsExcept", 1, 1,
            [](const QStringList &a) { return checkHosts(a.first()); } },
        { Kind::SetViewportSize, "setViewportSize", 2, 2,
            [](const QStringList &a) {
                for (const QString &side : a) {
                    bool ok = false;
                    const int pixels = side.toInt(&ok);
                    if (!ok || pixels < 1 || pixels > DeviceProfile::maxSide)
                        return QStringLiteral("the width and height are whole pixels from 1 to %1")
                            .arg(DeviceProfile::maxSide);
                }
                return QString();
            } },
        { Kind::EmulateMobile, "emulateMobile", 0, 1,
            [](const QStringList &a) {
                QString error;
                const auto device
                    = DeviceProfile::parse(a.isEmpty() ? QStringLiteral("moto-g-power") : a.first(), &error);
                if (device && !device->mobile)
                    return QStringLiteral("%1 is not a mobile device").arg(device->name);
                return error;
            } },
        { Kind::WaitFor, "waitFor", 1, 1, checkNothing },
    };
    return table;
}

const Syntax *syntaxNamed(const QString &name)
{
    // WebPageTest reads command names regardless of case ("clickandwait").
    for (const Syntax &row : syntax()) {
        if (name.compare(QLatin1String(row.name), Qt::CaseInsensitive) == 0)
            return &row;
    }
    return nullptr;
}

// The arguments of a line: tab-separated, or, on a line without a tab, separated by runs of spaces with the last
// argument taking the rest of the line.
QStringList splitArguments(const QString &rest, bool tabbed, int maxArgs)
{
    if (rest.isEmpty())
        return {};
    if (tabbed) {
        QStringList args = rest.split(u'\t');
        while (!args.isEmpty() && args.last().trimmed().isEmpty())
            args.removeLast();
        return args;
    }
    QStringList args;
    QString remaining = rest.trimmed();
    static const QRegularExpression spaces(QStringLiteral(" +"));
    while (!remaining.isEmpty() && args.size() + 1 < maxArgs) {
        const QRegularExpressionMatch gap = spaces.match(remaining);
        if (!gap.hasMatch())
            break;
        args.append(remaining.left(gap.capturedStart()));
        remaining = remaining.mid(gap.capturedEnd());
    }
    if (!remaining.isEmpty())
        args.append(remaining);
    return args;
}

QString jsString(const QString &text)
{
    // JSON's string syntax is JavaScript's: the value cannot end the literal.
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

} // namespace

QString ScriptCommand::name(Kind kind)
{
    for (const Syntax &row : syntax()) {
        if (row.kind == kind)
            return QLatin1String(row.name);
    }
    return {};
}

bool ScriptCommand::loadsPage() const
{
    return kind == Kind::Navigate || kind == Kind::ClickAndWait || kind == Kind::SubmitForm
        || kind == Kind::ExecAndWait;
}

std::optional<ElementSelector> ElementSelector::parse(const QString &text, QString *error)
{
    static const QRegularExpression attribute(QStringLiteral("^[A-Za-z_:][A-Za-z0-9_:.-]{0,63}$"));
    const qsizetype equals = text.indexOf(u'=');
    const QString key = text.left(equals);
    if (equals <= 0 || !attribute.match(key).hasMatch() || equals + 1 >= text.size()) {
        if (error)
            *error = QStringLiteral("\"%1\" is not an element: write id=…, name=…, className=…, innerText=… or "
                                    "attribute=value")
                         .arg(text);
        return std::nullopt;
    }
    ElementSelector selector;
    selector.value = text.mid(equals + 1);
    if (key == u"id")
        selector.kind = Kind::Id;
    else if (key == u"className")
        selector.kind = Kind::ClassName;
    else if (key == u"innerText")
        selector.kind = Kind::InnerText;
    else
        selector.attribute = key;
    return selector;
}

QString ElementSelector::expression(const QString &resolvedValue) const
{
    const QString v = jsString(resolvedValue);
    switch (kind) {
    case Kind::Id:
        return QStringLiteral("document.getElementById(%1)").arg(v);
    case Kind::ClassName:
        return QStringLiteral("Array.from(document.querySelectorAll('[class]')).find(e => e.className === %1) ?? null")
            .arg(v);
    case Kind::InnerText:
        return QStringLiteral(
            "Array.from(document.querySelectorAll('*')).reverse().find(e => e.innerText?.trim() === %1) ?? null")
            .arg(v);
    case Kind::Attribute:
        break;
    }
    return QStringLiteral("Array.from(document.querySelectorAll('*')).find(e => e.getAttribute(%1) === %2) ?? null")
        .arg(jsString(attribute), v);
}

std::optional<TestScript> TestScript::parse(const QString &text, QString *error)
{
    const auto fail = [error](int line, const QString &why) {
        if (error)
            *error = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(why) : why;
        return std::nullopt;
    };
    if (text.size() > maxLength)
        return fail(0, QStringLiteral("a script is at most %1 KiB").arg(maxLength / 1024));
    TestScript script;
    script.m_text = text;
    bool logging = true;
    QString pendingName; // setEventName's, for the next measured step
    const QStringList lines = text.split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int number = static_cast<int>(i + 1);
        QString line = lines.at(i);
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (line.trimmed().isEmpty() || line.trimmed().startsWith(QStringLiteral("//")))
            continue;
        const qsizetype end = line.indexOf(QRegularExpression(QStringLiteral("[\\t ]")));
        const QString name = line.left(end).trimmed();
        const Syntax *row = syntaxNamed(name);
        if (!row)
            return fail(number, QStringLiteral("unknown command \"%1\"").arg(name.left(64)));
        // A line with a tab anywhere is WebPageTest's: its arguments keep their spaces.
        const QStringList args
            = splitArguments(end < 0 ? QString() : line.mid(end + 1), line.contains(u'\t'), row->maxArgs);
        if (args.size() < row->minArgs || args.size() > row->maxArgs) {
            const QString wanted = row->minArgs == row->maxArgs
                ? QString::number(row->minArgs)
                : QStringLiteral("%1 to %2").arg(row->minArgs).arg(row->maxArgs);
            return fail(number,
                QStringLiteral("%1 takes %2 argument(s), not %3")
                    .arg(QLatin1String(row->name), wanted)
                    .arg(args.size()));
        }
        if (const QString problem = row->check(args); !problem.isEmpty())
            return fail(number, QStringLiteral("%1: %2").arg(QLatin1String(row->name), problem));
        const ScriptCommand command { row->kind, number, args };
        if (command.loadsPage() && command.kind != Kind::Navigate && script.firstUrl().isEmpty())
            return fail(number, QStringLiteral("%1 before any navigate: the page is still blank").arg(command.name()));
        if (command.kind == Kind::LogData)
            logging = args.first() == u"1";
        if (command.kind == Kind::SetEventName)
            pendingName = args.first().trimmed();
        if (command.loadsPage() && logging) {
            if (script.m_measuredSteps.size() == maxSteps)
                return fail(number, QStringLiteral("a run measures at most %1 steps").arg(maxSteps));
            script.m_measuredSteps.append(script.m_commands.size());
            script.m_stepNames.append(std::exchange(pendingName, QString()));
        }
        script.m_commands.append(command);
    }
    if (script.firstUrl().isEmpty())
        return fail(0, QStringLiteral("the script navigates nowhere: it needs a navigate"));
    if (script.m_measuredSteps.isEmpty())
        return fail(0, QStringLiteral("the script measures nothing: load a page while logData is 1"));
    // Nothing after the last measured step would be measured, nor change what was.
    const qsizetype last = script.m_measuredSteps.last();
    for (qsizetype i = last + 1; i < script.m_commands.size(); ++i) {
        const ScriptCommand &after = script.m_commands.at(i);
        if (after.kind != Kind::LogData)
            return fail(after.line,
                QStringLiteral("%1 follows the last measured step (line %2): nothing after it is measured")
                    .arg(after.name())
                    .arg(script.m_commands.at(last).line));
    }
    return script;
}

QString TestScript::firstUrl() const
{
    for (const ScriptCommand &command : m_commands) {
        if (command.kind == Kind::Navigate)
            return command.args.first();
    }
    return {};
}

bool TestScript::intercepts() const
{
    return std::any_of(m_commands.cbegin(), m_commands.cend(), [](const ScriptCommand &c) {
        return c.kind == Kind::Block || c.kind == Kind::BlockDomains || c.kind == Kind::BlockDomainsExcept
            || ((c.kind == Kind::SetHeader || c.kind == Kind::AddHeader) && c.args.size() > 1);
    });
}
