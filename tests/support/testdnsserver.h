#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QUdpSocket>

#include <functional>

// A DNS server of the tests' own, on UDP loopback, written from RFC 1035 independently of the probe's resolver so
// that the two check each other. It answers A and AAAA questions with what the test's handler returns (records of
// the asked type; TTL 0), NXDOMAIN when the handler returns nullopt, and nothing at all while held (a stuck
// resolver). Every question is recorded.
class TestDnsServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestDnsServer)

public:
    enum class Type : quint16 { A = 1, Aaaa = 28 };
    struct Question
    {
        QString name; // lower case, no trailing dot
        Type type;
    };
    // The addresses for a name; those of the asked family are sent. nullopt: NXDOMAIN.
    using Handler = std::function<std::optional<QList<QHostAddress>>(const QString &name)>;

    explicit TestDnsServer(QObject *parent = nullptr);

    bool listen(); // 127.0.0.1, any free port
    QHostAddress address() const { return QHostAddress(QHostAddress::LocalHost); }
    quint16 port() const { return m_socket.localPort(); }

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Held questions get no answer until release(), which answers them all (with the handler of that moment).
    void hold(bool held) { m_held = held; }
    void release();

    QList<Question> questions() const { return m_questions; }
    // How many different names were asked about.
    int nameCount() const;
    int questionsFor(const QString &name) const;

signals:
    void questionReceived(const QString &name);

private:
    struct Pending
    {
        QByteArray query;
        QHostAddress sender;
        quint16 port;
    };
    void onReadyRead();
    void answer(const QByteArray &query, const QHostAddress &sender, quint16 port);

    QUdpSocket m_socket;
    Handler m_handler;
    bool m_held = false;
    QList<Pending> m_pending;
    QList<Question> m_questions;
};
