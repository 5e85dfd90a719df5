#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

// The few DNS messages (RFC 1035) the probe's resolver needs when it is told to ask one server itself: a
// recursive query for one name's A or AAAA records, and the addresses in the answer. Answers come off the network
// from whoever can reach the socket, so parsing is bounded and refuses anything that does not add up.
class DnsMessage final
{
public:
    enum class Type : quint16 { A = 1, Aaaa = 28 };

    struct Answer
    {
        quint16 id = 0;
        int responseCode = 0; // 0 no error, 3 NXDOMAIN, …
        bool truncated = false;
        QList<QHostAddress> addresses; // the A and AAAA records of the answer section
    };

    // name in ASCII (an IDN already in its ACE form); empty when it cannot be encoded (a label over 63 bytes,
    // a name over 253).
    static QByteArray query(quint16 id, const QByteArray &name, Type type);
    // nullopt (and why) for anything that is not a well-formed response.
    static std::optional<Answer> parse(const QByteArray &packet, QString *error);
};
