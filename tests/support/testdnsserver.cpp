#include "testdnsserver.h"

#include <QNetworkDatagram>
#include <QSet>

namespace {

quint16 read16(const QByteArray &data, qsizetype at)
{
    return quint16((quint8(data[at]) << 8) | quint8(data[at + 1]));
}

void append16(QByteArray &out, quint16 value)
{
    out.append(char(value >> 8));
    out.append(char(value & 0xff));
}

// The question's name (uncompressed, as every resolver sends it) and where it ends.
std::optional<std::pair<QString, qsizetype>> questionName(const QByteArray &query)
{
    QStringList labels;
    qsizetype at = 12;
    while (at < query.size()) {
        const int length = quint8(query[at]);
        if (length == 0)
            return std::pair(labels.join(u'.').toLower(), at + 1);
        if (length > 63 || at + 1 + length > query.size())
            return std::nullopt;
        labels.append(QString::fromLatin1(query.mid(at + 1, length)));
        at += 1 + length;
    }
    return std::nullopt;
}

} // namespace

TestDnsServer::TestDnsServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, &TestDnsServer::onReadyRead);
}

bool TestDnsServer::listen()
{
    return m_socket.bind(QHostAddress::LocalHost, 0);
}

int TestDnsServer::nameCount() const
{
    QSet<QString> names;
    for (const Question &question : m_questions)
        names.insert(question.name);
    return static_cast<int>(names.size());
}

int TestDnsServer::questionsFor(const QString &name) const
{
    return static_cast<int>(
        std::count_if(m_questions.begin(), m_questions.end(), [&](const Question &q) { return q.name == name; }));
}

void TestDnsServer::release()
{
    m_held = false;
    const QList<Pending> pending = std::exchange(m_pending, {});
    for (const Pending &p : pending)
        answer(p.query, p.sender, p.port);
}

void TestDnsServer::onReadyRead()
{
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket.receiveDatagram();
        const QByteArray query = datagram.data();
        const auto name = query.size() >= 12 ? questionName(query) : std::nullopt;
        if (!name || name->second + 4 > query.size())
            continue;
        m_questions.append(Question { name->first, Type(read16(query, name->second)) });
        emit questionReceived(name->first);
        if (m_held)
            m_pending.append(Pending { query, datagram.senderAddress(), quint16(datagram.senderPort()) });
        else
            answer(query, datagram.senderAddress(), quint16(datagram.senderPort()));
    }
}

void TestDnsServer::answer(const QByteArray &query, const QHostAddress &sender, quint16 port)
{
    const auto name = questionName(query);
    const qsizetype questionEnd = name->second + 4;
    const quint16 type = read16(query, name->second);
    const std::optional<QList<QHostAddress>> addresses
        = m_handler ? m_handler(name->first) : std::optional<QList<QHostAddress>> {};
    QList<QHostAddress> records;
    for (const QHostAddress &address : addresses.value_or(QList<QHostAddress> {})) {
        const bool v4 = address.protocol() == QAbstractSocket::IPv4Protocol;
        if ((type == quint16(Type::A) && v4) || (type == quint16(Type::Aaaa) && !v4))
            records.append(address);
    }
    QByteArray out = query.left(questionEnd);
    out[2] = char(0x81); // a response, recursion desired
    out[3] = char(addresses ? 0x80 : 0x83); // recursion available; NXDOMAIN when there is no such name
    out[6] = char(records.size() >> 8);
    out[7] = char(records.size() & 0xff);
    for (const QHostAddress &address : records) {
        append16(out, 0xc00c); // the question's name
        append16(out, type);
        append16(out, 1); // IN
        out.append(QByteArray(4, '\0')); // TTL 0: every lookup asks again
        if (type == quint16(Type::A)) {
            append16(out, 4);
            const quint32 v4 = address.toIPv4Address();
            append16(out, quint16(v4 >> 16));
            append16(out, quint16(v4 & 0xffff));
        } else {
            append16(out, 16);
            const Q_IPV6ADDR v6 = address.toIPv6Address();
            out.append(reinterpret_cast<const char *>(v6.c), 16);
        }
    }
    m_socket.writeDatagram(out, sender, port);
}
