#pragma once

#include "viewresult.h"

#include <QJsonObject>
#include <QString>

#include <optional>

// A measured step of a script after its first. WebPageTest numbers a script's measured steps from 1; RunResult
// keeps step 1 where every run has always kept its page (firstView), so a one-step run reads and writes exactly as
// before, and each later step is one of these. A step is measured as a first view: with a script, a repeat view is
// refused (probe/SCRIPTS.md), so a step has none.
struct StepResult
{
    QString name; // the script's setEventName for it; empty: the step is named by its page (StepResult::label)
    ViewResult view;

    // What a table, a waterfall block or a HAR page calls the step: its name, else the page it measured (the view's
    // url: navigate's URL, or the document a click or a submit led to).
    static QString label(const QString &name, const ViewResult &view);
    QString label() const { return label(name, view); }

    QJsonObject toJson() const;
    static std::optional<StepResult> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const StepResult &, const StepResult &) = default;
};
