#pragma once

// The protocol's frames as the tests read and write them (a JSON object, compact bytes, a one-line description), and
// how QCOMPARE prints the protocol's types when two differ. Header only: every function is a line or two.

#include "protocol/codec.h"
#include "protocol/message.h"
#include "protocol/versionrange.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

inline QJsonObject objectOf(const QByteArray &frame)
{
    return QJsonDocument::fromJson(frame).object();
}

inline QByteArray frameOf(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

inline QString describeFrame(const DecodedFrame &frame)
{
    return describe(frame);
}

// QCOMPARE prints these when values differ: the message as type and compact JSON.
inline char *toString(const Message &message)
{
    return qstrdup(describe(message).toUtf8().constData());
}
inline char *toString(const ProtocolError &error)
{
    return qstrdup(describe(error).toUtf8().constData());
}
inline char *toString(const VersionRange &range)
{
    const QByteArray text = QByteArray::number(range.min) + "…" + QByteArray::number(range.max);
    return qstrdup(text.constData());
}
