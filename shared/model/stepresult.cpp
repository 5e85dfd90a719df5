#include "stepresult.h"

#include "jsonreader.h"
#include "testscript.h"

QString StepResult::label(const QString &name, const ViewResult &view)
{
    if (!name.isEmpty())
        return name;
    // The view's url is the step's page: navigate's URL, or the document a click or a submit led to.
    return view.url;
}

QJsonObject StepResult::toJson() const
{
    QJsonObject json;
    if (!name.isEmpty())
        json.insert(QStringLiteral("name"), name);
    json.insert(QStringLiteral("firstView"), view.toJson());
    return json;
}

std::optional<StepResult> StepResult::fromJson(const QJsonObject &json, QString *error)
{
    using P = JsonReader::Presence;
    JsonReader r(json);
    StepResult step;
    step.name = r.string(QStringLiteral("name"), P::Optional, TestScript::maxStepNameLength);
    QString nested;
    if (auto view = ViewResult::fromJson(r.object(QStringLiteral("firstView"), P::Required), &nested))
        step.view = std::move(*view);
    else if (r.ok())
        r.fail(QStringLiteral("firstView"), nested);
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return step;
}
