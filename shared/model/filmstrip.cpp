#include "filmstrip.h"

#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <cmath>

namespace {

constexpr double maxMs = 24.0 * 3600 * 1000;

bool isJpeg(const QByteArray &data)
{
    return data.size() >= 3 && quint8(data[0]) == 0xff && quint8(data[1]) == 0xd8 && quint8(data[2]) == 0xff;
}

} // namespace

qint64 Filmstrip::totalBytes() const
{
    qint64 total = 0;
    for (const Frame &frame : frames)
        total += frame.jpeg.size();
    return total;
}

Filmstrip Filmstrip::thinned(QList<Frame> all)
{
    Filmstrip strip;
    all.removeIf([](const Frame &frame) { return frame.jpeg.size() > maxFrameBytes; });
    if (all.isEmpty())
        return strip;
    // Keep n frames spread evenly by index, fewer while they do not fit the byte budget.
    for (qsizetype n = std::min(all.size(), maxFrames); n >= 1; n = n > 2 ? n * 3 / 4 : n - 1) {
        strip.frames.clear();
        qint64 total = 0;
        for (qsizetype i = 0; i < n; ++i) {
            const qsizetype index = n == 1 ? all.size() - 1 : i * (all.size() - 1) / (n - 1);
            strip.frames.append(all.at(index));
            total += all.at(index).jpeg.size();
        }
        if (total <= maxTotalBytes)
            return strip;
    }
    return strip;
}

QJsonArray Filmstrip::toJson() const
{
    QJsonArray array;
    for (const Frame &frame : frames)
        array.append(QJsonObject { { QStringLiteral("timeMs"), frame.timeMs },
            { QStringLiteral("jpeg"), QString::fromLatin1(frame.jpeg.toBase64()) } });
    return array;
}

std::optional<Filmstrip> Filmstrip::fromJson(const QJsonArray &json, QString *error)
{
    const auto fail = [error](const QString &problem) -> std::optional<Filmstrip> {
        if (error)
            *error = problem;
        return std::nullopt;
    };
    if (json.size() > maxFrames)
        return fail(QStringLiteral("more than %1 frames").arg(maxFrames));
    Filmstrip strip;
    qint64 total = 0;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const QJsonObject object = json.at(i).toObject();
        const QJsonValue time = object.value(QStringLiteral("timeMs"));
        const QJsonValue jpeg = object.value(QStringLiteral("jpeg"));
        const QString where = QStringLiteral("[%1]").arg(i);
        if (!json.at(i).isObject() || !time.isDouble() || !jpeg.isString())
            return fail(where + QStringLiteral(": not an object of a number timeMs and a string jpeg"));
        const double ms = time.toDouble();
        if (!std::isfinite(ms) || ms < 0 || ms > maxMs || (!strip.frames.isEmpty() && ms < strip.frames.last().timeMs))
            return fail(where + QStringLiteral(".timeMs: not a time from 0 to 24 h, in order"));
        if (jpeg.toString().size() > (maxFrameBytes + 2) / 3 * 4)
            return fail(where + QStringLiteral(".jpeg: larger than %1 bytes").arg(maxFrameBytes));
        auto decoded
            = QByteArray::fromBase64Encoding(jpeg.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(where + QStringLiteral(".jpeg: not base64"));
        if (decoded.decoded.size() > maxFrameBytes)
            return fail(where + QStringLiteral(".jpeg: larger than %1 bytes").arg(maxFrameBytes));
        if (!isJpeg(decoded.decoded))
            return fail(where + QStringLiteral(".jpeg: not a JPEG image"));
        total += decoded.decoded.size();
        if (total > maxTotalBytes)
            return fail(QStringLiteral("more than %1 bytes of frames").arg(maxTotalBytes));
        strip.frames.append(Frame { ms, std::move(decoded.decoded) });
    }
    return strip;
}
