#include "dnsmessage.h"

namespace {

constexpr int headerSize = 12;
constexpr int maxNameLength = 253;
constexpr int maxLabelLength = 63;

quint16 read16(const QByteArray &data, qsizetype at)
{
    return quint16((quint8(data[at]) << 8) | quint8(data[at + 1]));
}

void append16(QByteArray &out, quint16 value)
{
    out.append(char(value >> 8));
    out.append(char(value & 0xff));
}

// Moves `at` past a name, compressed or not; false if it runs off the packet. Only the name's end matters here,
// so a pointer ends it without being followed, and no loop can form.
bool skipName(const QByteArray &data, qsizetype &at)
{
    for (int labels = 0; labels < 128; ++labels) {
        if (at >= data.size())
            return false;
        const quint8 length = quint8(data[at]);
        if ((length & 0xc0) == 0xc0) {
            if (at + 2 > data.size())
                return false;
            at += 2;
            return true;
        }
        if ((length & 0xc0) != 0)
            return false; // the reserved label types
        at += 1 + length;
        if (length == 0)
            return at <= data.size();
    }
    return false;
}

} // namespace

QByteArray DnsMessage::query(quint16 id, const QByteArray &name, Type type)
{
    QByteArray trimmed = name;
    if (trimmed.endsWith('.'))
        trimmed.chop(1);
    if (trimmed.isEmpty() || trimmed.size() > maxNameLength)
        return {};
    QByteArray out;
    append16(out, id);
    append16(out, 0x0100); // a standard query, recursion desired
    append16(out, 1); // one question
    append16(out, 0);
    append16(out, 0);
    append16(out, 0);
    for (const QByteArray &label : trimmed.split('.')) {
        if (label.isEmpty() || label.size() > maxLabelLength)
            return {};
        out.append(char(label.size()));
        out.append(label);
    }
    out.append('\0');
    append16(out, quint16(type));
    append16(out, 1); // class IN
    return out;
}

std::optional<DnsMessage::Answer> DnsMessage::parse(const QByteArray &packet, QString *error)
{
    const auto fail = [error](const char *why) {
        *error = QString::fromLatin1(why);
        return std::nullopt;
    };
    if (packet.size() < headerSize)
        return fail("shorter than a DNS header");
    Answer answer;
    answer.id = read16(packet, 0);
    const quint16 flags = read16(packet, 2);
    if ((flags & 0x8000) == 0)
        return fail("not a response");
    answer.truncated = (flags & 0x0200) != 0;
    answer.responseCode = flags & 0x000f;
    const quint16 questions = read16(packet, 4);
    const quint16 answers = read16(packet, 6);
    qsizetype at = headerSize;
    for (int i = 0; i < questions; ++i) {
        if (!skipName(packet, at) || at + 4 > packet.size())
            return fail("a question runs past the end");
        at += 4;
    }
    for (int i = 0; i < answers; ++i) {
        if (!skipName(packet, at) || at + 10 > packet.size())
            return fail("an answer runs past the end");
        const quint16 type = read16(packet, at);
        const quint16 recordClass = read16(packet, at + 2);
        const quint16 length = read16(packet, at + 8);
        at += 10;
        if (at + length > packet.size())
            return fail("an answer's data runs past the end");
        // CNAME records lead to the A/AAAA records a recursive server puts after them: taking every address
        // record of the answer is the chain's end.
        if (recordClass == 1 && type == quint16(Type::A) && length == 4) {
            answer.addresses.append(QHostAddress(read16(packet, at) * 65536u + read16(packet, at + 2)));
        } else if (recordClass == 1 && type == quint16(Type::Aaaa) && length == 16) {
            Q_IPV6ADDR address;
            for (int b = 0; b < 16; ++b)
                address[b] = quint8(packet[at + b]);
            answer.addresses.append(QHostAddress(address));
        }
        at += length;
    }
    return answer;
}
