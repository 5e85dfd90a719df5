#include "hostresolver.h"

#include "dnsmessage.h"
#include "model/displayformat.h"

#include <QHostInfo>
#include <QNetworkDatagram>
#include <QRandomGenerator>
#include <QTimer>
#include <QUdpSocket>
#include <QUrl>

struct HostResolver::Request
{
    QString host;
    QPointer<QObject> context;
    std::function<void(const HostAnswer &)> done;
    QMetaObject::Connection contextGone;
    QTimer *timer = nullptr; // ours; deleted later, as it may be the one calling
    bool started = false;
    // Asking a DNS server: the socket, the ids of the A and AAAA queries still unanswered, what came back.
    QUdpSocket *socket = nullptr; // ours, likewise
    QList<quint16> unanswered;
    QList<QHostAddress> addresses;
    int responseCode = 0;
};

HostResolver::HostResolver(int maxConcurrent, QObject *parent)
    : QObject(parent)
    , m_maxConcurrent(std::max(1, maxConcurrent))
{
    m_pool.setMaxThreadCount(m_maxConcurrent);
}

namespace {

// Marks the resolver busy for as long as it lives; declared before anything that may let go of the resolver.
class Depth
{
public:
    explicit Depth(int &depth)
        : m_depth(depth)
    {
        ++m_depth;
    }
    ~Depth() { --m_depth; }
    Q_DISABLE_COPY_MOVE(Depth)

private:
    int &m_depth;
};

} // namespace

HostResolver::~HostResolver()
{
    m_pool.waitForDone();
}

std::shared_ptr<HostResolver> HostResolver::create(int maxConcurrent)
{
    return std::shared_ptr<HostResolver>(new HostResolver(maxConcurrent), [](HostResolver *resolver) {
        if (resolver->m_depth > 0)
            resolver->deleteLater();
        else
            delete resolver;
    });
}

void HostResolver::setNameserver(const QHostAddress &address, quint16 port)
{
    m_nameserver = std::pair(address, port);
}

void HostResolver::lookup(const QString &host, std::chrono::milliseconds timeout, QObject *context,
    std::function<void(const HostAnswer &)> done)
{
    Q_ASSERT(context);
    const quint64 id = m_nextId++;
    auto request = std::make_unique<Request>();
    request->host = host;
    request->context = context;
    request->done = std::move(done);
    // The requester going away takes its request with it, waiting or running: nothing is kept for nobody.
    request->contextGone = connect(context, &QObject::destroyed, this, [this, id] {
        const Depth depth(m_depth);
        take(id);
    });
    request->timer = new QTimer(this);
    request->timer->setSingleShot(true);
    connect(request->timer, &QTimer::timeout, this, [this, id, host, timeout] {
        HostAnswer answer;
        answer.timedOut = true;
        answer.error = QStringLiteral("looking up host \"%1\" took longer than %2")
                           .arg(host, DisplayFormat::duration(double(timeout.count())));
        finish(id, answer);
    });
    request->timer->start(timeout);
    m_requests.emplace(id, std::move(request));
    m_waiting.append(id);
    startWaiting();
}

void HostResolver::startWaiting()
{
    while (m_busy < m_maxConcurrent && !m_waiting.isEmpty()) {
        const quint64 id = m_waiting.takeFirst();
        const auto it = m_requests.find(id);
        if (it == m_requests.end())
            continue;
        Request &request = *it->second;
        request.started = true;
        ++m_busy;
        if (m_nameserver)
            startDnsLookup(id, request);
        else
            startSystemLookup(id, request.host);
    }
}

void HostResolver::startSystemLookup(quint64 id, const QString &host)
{
    m_pool.start([this, id, host] {
        const QHostInfo info = QHostInfo::fromName(host);
        HostAnswer answer;
        answer.addresses = info.addresses();
        if (info.error() != QHostInfo::NoError)
            answer.error = info.errorString();
        else if (answer.addresses.isEmpty())
            answer.error = QStringLiteral("no addresses");
        // Posted to this object: if it is destroyed first (it waits for this thread), the event goes with it.
        QMetaObject::invokeMethod(
            this, [this, id, answer] { onSystemAnswer(id, answer); }, Qt::QueuedConnection);
    });
}

void HostResolver::onSystemAnswer(quint64 id, const HostAnswer &answer)
{
    --m_busy; // the thread is free now, whether or not anyone still waits for its answer
    QMetaObject::invokeMethod(this, &HostResolver::startWaiting, Qt::QueuedConnection);
    finish(id, answer);
}

void HostResolver::startDnsLookup(quint64 id, Request &request)
{
    request.socket = new QUdpSocket(this);
    const QHostAddress &server = m_nameserver->first;
    request.socket->bind(
        server.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4, 0);
    connect(request.socket, &QUdpSocket::readyRead, this, [this, id] { onDatagrams(id); });
    const QByteArray name = QUrl::toAce(request.host);
    for (const DnsMessage::Type type : { DnsMessage::Type::A, DnsMessage::Type::Aaaa }) {
        const auto queryId = quint16(QRandomGenerator::system()->bounded(65536));
        const QByteArray query = DnsMessage::query(queryId, name, type);
        if (query.isEmpty()) {
            // Answered from the event loop like every other answer, never from inside lookup().
            QMetaObject::invokeMethod(
                this,
                [this, id, host = request.host] {
                    finish(id, HostAnswer { {}, u"\"" % host % u"\" is not a name DNS can look up", false });
                },
                Qt::QueuedConnection);
            return;
        }
        request.unanswered.append(queryId);
        request.socket->writeDatagram(query, server, m_nameserver->second);
    }
}

void HostResolver::onDatagrams(quint64 id)
{
    const auto it = m_requests.find(id);
    if (it == m_requests.end())
        return;
    Request &request = *it->second;
    while (request.socket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = request.socket->receiveDatagram(64 * 1024);
        // Only the server asked may answer, and only the questions asked: anyone else's packet is noise.
        if (datagram.senderAddress() != m_nameserver->first || datagram.senderPort() != m_nameserver->second)
            continue;
        QString error;
        const std::optional<DnsMessage::Answer> answer = DnsMessage::parse(datagram.data(), &error);
        if (!answer || !request.unanswered.removeOne(answer->id))
            continue;
        request.addresses += answer->addresses;
        if (answer->responseCode != 0)
            request.responseCode = answer->responseCode;
    }
    if (!request.unanswered.isEmpty())
        return;
    HostAnswer answer;
    answer.addresses = request.addresses;
    if (answer.addresses.isEmpty()) {
        answer.error = request.responseCode == 3 ? QStringLiteral("no such name")
            : request.responseCode != 0
            ? QStringLiteral("the DNS server answered with error code %1").arg(request.responseCode)
            : QStringLiteral("no addresses");
    }
    finish(id, answer);
}

std::unique_ptr<HostResolver::Request> HostResolver::take(quint64 id)
{
    const auto it = m_requests.find(id);
    if (it == m_requests.end())
        return {};
    std::unique_ptr<Request> request = std::move(it->second);
    m_requests.erase(it);
    m_waiting.removeOne(id);
    disconnect(request->contextGone);
    request->timer->stop();
    request->timer->deleteLater();
    // A DNS query's slot is free once its socket is; a system lookup's only when its thread returns.
    if (request->socket) {
        request->socket->disconnect(this);
        request->socket->deleteLater();
        --m_busy;
        QMetaObject::invokeMethod(this, &HostResolver::startWaiting, Qt::QueuedConnection);
    }
    return request;
}

void HostResolver::finish(quint64 id, const HostAnswer &answer)
{
    const Depth depth(m_depth); // outlives the request, whose callback may hold the last reference to us
    const std::unique_ptr<Request> request = take(id);
    if (request && request->context)
        request->done(answer);
}
