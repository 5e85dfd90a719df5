#include "codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>

namespace {

const QString versionKey = QStringLiteral("v");
const QString typeKey = QStringLiteral("type");

// Takes the frame by reference: a by-value parameter could be moved from before the message argument (which reads
// the frame's type) is evaluated, since the order of argument evaluation is unspecified.
DecodedFrame failed(DecodedFrame &frame, QStringView code, const QString &message)
{
    frame.error = { code.toString(), message };
    frame.message.reset();
    return std::move(frame);
}

// Qt's parser turns a "\ud800" escape into a lone surrogate. Such text cannot be written back as UTF-8 (it would
// come back as U+FFFD), so a message holding it would not survive a round trip: refuse the frame instead.
bool hasOnlyValidText(const QJsonValue &value, int depth = 0)
{
    // Qt's parser already stops at a nesting of 1024; this guard keeps the recursion bounded on its own.
    if (depth > 2048)
        return false;
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString().isValidUtf16();
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array) {
            if (!hasOnlyValidText(item, depth + 1))
                return false;
        }
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!it.key().isValidUtf16() || !hasOnlyValidText(it.value(), depth + 1))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

} // namespace

FrameCodec::FrameCodec(qsizetype maxFrameBytes)
    : m_maxFrameBytes(maxFrameBytes)
{ }

QByteArray FrameCodec::encode(const Message &message) const
{
    QJsonObject json = messageToJson(message);
    json.insert(versionKey, sendVersion());
    json.insert(typeKey, messageType(message));
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QString FrameCodec::encodeText(const Message &message) const
{
    return QString::fromUtf8(encode(message));
}

DecodedFrame FrameCodec::decode(const QString &frame) const
{
    // UTF-8 never takes fewer bytes than UTF-16 code units, so a text that is too long in units is too large
    // without converting it.
    if (frame.size() > m_maxFrameBytes) {
        DecodedFrame result;
        return failed(result, ProtocolError::frameTooLarge,
            QStringLiteral("frame of %1 characters exceeds the limit of %2 bytes")
                .arg(frame.size())
                .arg(m_maxFrameBytes));
    }
    const QByteArray utf8 = frame.toUtf8();
    return decode(QByteArrayView(utf8));
}

DecodedFrame FrameCodec::decode(QByteArrayView frame) const
{
    DecodedFrame result;
    if (frame.size() > m_maxFrameBytes) {
        return failed(result, ProtocolError::frameTooLarge,
            QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes").arg(frame.size()).arg(m_maxFrameBytes));
    }
    if (frame.isEmpty())
        return failed(result, ProtocolError::malformed, QStringLiteral("empty frame"));

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(frame.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return failed(result, ProtocolError::malformed,
            QStringLiteral("not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset));
    }
    if (!document.isObject())
        return failed(result, ProtocolError::malformed, QStringLiteral("not a JSON object"));
    const QJsonObject json = document.object();

    // Envelope first, so every later error can say which type and run it was about.
    const QJsonValue version = json.value(versionKey);
    const double v = version.toDouble();
    if (!version.isDouble() || !std::isfinite(v) || std::trunc(v) != v || v < 1 || v > VersionRange::maxWireVersion) {
        return failed(result, ProtocolError::malformed,
            QStringLiteral("v: expected an integer 1 … %1").arg(VersionRange::maxWireVersion));
    }
    result.version = static_cast<int>(v);
    const QJsonValue type = json.value(typeKey);
    if (!type.isString() || type.toString().isEmpty() || type.toString().size() > 64)
        return failed(result, ProtocolError::malformed, QStringLiteral("type: expected a message type"));
    result.type = type.toString();
    const QJsonValue runId = json.value(QStringLiteral("runId"));
    if (runId.isString() && ProtocolLimits::isIdentifier(runId.toString()))
        result.runId = runId.toString();

    if (!hasOnlyValidText(json)) {
        return failed(result, ProtocolError::malformed, QStringLiteral("a string holds an unpaired UTF-16 surrogate"));
    }
    if (!isKnownMessageType(result.type)) {
        return failed(
            result, ProtocolError::unknownType, QStringLiteral("unknown message type \"%1\"").arg(result.type));
    }
    const bool isHandshake = result.type == AuthMessage::typeName || result.type == HelloMessage::typeName;
    if (m_negotiatedVersion && !isHandshake && result.version != *m_negotiatedVersion) {
        return failed(result, ProtocolError::versionMismatch,
            QStringLiteral("frame has v %1 but this connection speaks v %2")
                .arg(result.version)
                .arg(*m_negotiatedVersion));
    }

    QString why;
    result.message = messageFromJson(result.type, json, &why);
    if (!result.message)
        return failed(result, ProtocolError::invalidMessage, why);
    return result;
}

QString describe(const ProtocolError &error)
{
    if (error.isNull())
        return QStringLiteral("no error");
    return error.code + u": " + error.message;
}

QString describe(const DecodedFrame &frame)
{
    if (frame.message)
        return QStringLiteral("v%1 ").arg(frame.version) + describe(*frame.message);
    return QStringLiteral("error ") + describe(frame.error);
}
