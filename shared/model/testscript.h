#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// One command of a TestScript, as written: its line (1-based) and its arguments, ${secret:NAME} unresolved.
struct ScriptCommand
{
    enum class Kind {
        Navigate,
        LogData,
        SetValue,
        SetInnerText,
        SetInnerHtml,
        Click,
        ClickAndWait,
        SubmitForm,
        Exec,
        ExecAndWait,
        Sleep,
        SetCookie,
        SetHeader,
        AddHeader,
        ResetHeaders,
        SetUserAgent,
        Block,
        BlockDomains,
        BlockDomainsExcept,
        SetViewportSize,
        EmulateMobile,
        WaitFor,
        SetEventName,
    };

    Kind kind = Kind::Navigate;
    int line = 0;
    QStringList args;

    // The command's name as a script writes it ("clickAndWait").
    static QString name(Kind kind);
    QString name() const { return name(kind); }
    // Whether the command loads a page and waits for it (navigate, clickAndWait, submitForm, execAndWait): the
    // commands that are a step, measured when logData is 1.
    bool loadsPage() const;
    friend bool operator==(const ScriptCommand &, const ScriptCommand &) = default;
};

// How a script names an element, as WebPageTest writes it: id=…, name=…, className=…, innerText=…, or any
// attribute=value. The first element of the document that matches is the one.
struct ElementSelector
{
    enum class Kind { Id, ClassName, InnerText, Attribute };
    Kind kind = Kind::Attribute;
    QString attribute; // for Attribute ("name", "data-test", …)
    QString value;

    static std::optional<ElementSelector> parse(const QString &text, QString *error);
    // A JavaScript expression whose value is the element, or null; `value` is the selector's value as sent to the
    // page (its secrets resolved), quoted here as a JSON string so no value can break out of the expression.
    QString expression(const QString &value) const;
    friend bool operator==(const ElementSelector &, const ElementSelector &) = default;
};

// A script in WebPageTest's format: what the browser does before and while a run measures, so that a page behind
// a login can be measured (probe/SCRIPTS.md describes the format and each command).
//
// Lines: one command per line, its arguments separated by tabs, as WebPageTest writes them. A line without a tab
// may separate them with spaces instead, for hand-written scripts; then the last argument takes the rest of the
// line, spaces and all (JavaScript, a header value). Blank lines and lines starting with `//` are skipped; so is a
// trailing carriage return. Any other line is a command this class knows with the number of arguments it takes:
// an unknown command, a wrong number of arguments or a bad value is an error naming the line, never skipped.
//
// Steps: logData 1 (the default) measures the pages that the commands load; logData 0 runs them unmeasured (a
// login). Each page load while logData is 1 is a measured step, as in WebPageTest: a script has 1 to maxSteps of
// them, numbered from 1 in script order, and setEventName names the one that follows it. What would follow the
// last measured step could not be measured, so only logData may come after it.
class TestScript final
{
public:
    static constexpr qsizetype maxLength = 64 * 1024;
    static constexpr int maxSleepSeconds = 60;
    // Steps a run measures at most: each is a view of its own on the wire and in every result.
    static constexpr int maxSteps = 20;
    static constexpr qsizetype maxStepNameLength = 256;

    // Nullopt and "line N: why" for a script this probe cannot run as written.
    static std::optional<TestScript> parse(const QString &text, QString *error);

    const QString &text() const { return m_text; }
    const QList<ScriptCommand> &commands() const { return m_commands; }
    // The URL of the first navigate: where the run starts, and whose host the test's cookies and basic auth are for.
    QString firstUrl() const;
    // The indexes into commands() of the measured steps, in order (at least one).
    const QList<qsizetype> &measuredSteps() const { return m_measuredSteps; }
    // The name setEventName gave the step (0-based into measuredSteps()), or empty.
    QString stepName(qsizetype step) const { return m_stepNames.value(step); }
    // Whether a command needs each request held (blocking, a header limited to a host).
    bool intercepts() const;

private:
    QString m_text;
    QList<ScriptCommand> m_commands;
    QList<qsizetype> m_measuredSteps;
    QStringList m_stepNames; // one per measured step, empty when unnamed
};
