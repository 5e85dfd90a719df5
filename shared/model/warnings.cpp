#include "warnings.h"

#include "jsonreader.h"

namespace Warnings {

void add(QStringList &warnings, const QString &warning)
{
    if (warnings.size() >= maxCount) {
        warnings.last() = QStringLiteral("(more warnings were left out)");
        return;
    }
    warnings.append(warning.left(maxLength));
}

QJsonArray toJson(const QStringList &warnings)
{
    return QJsonArray::fromStringList(warnings);
}

QStringList fromJson(JsonReader &reader, const QString &key)
{
    QStringList warnings;
    const QJsonArray array = reader.array(key, JsonReader::Presence::Optional, maxCount);
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue value = array.at(i);
        if (!value.isString() || value.toString().size() > maxLength) {
            reader.fail(QStringLiteral("%1[%2]").arg(key).arg(i),
                QStringLiteral("expected a string of at most %1 characters").arg(maxLength));
            return {};
        }
        warnings.append(value.toString());
    }
    return warnings;
}

} // namespace Warnings
