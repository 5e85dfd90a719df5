#include "urlpolicy.h"

#include "hostresolver.h"

#include <QMetaObject>
#include <QObject>

#include <algorithm>
#include <array>
#include <iterator>
#include <memory>

namespace {

struct Ipv4Range
{
    quint32 base;
    int prefixLength;
    const char16_t *category;
};

constexpr quint32 ipv4(quint32 a, quint32 b, quint32 c, quint32 d)
{
    return (a << 24) | (b << 16) | (c << 8) | d;
}

// Single addresses first, so the reason names the most telling category (metadata before link-local).
constexpr std::array ipv4Ranges {
    Ipv4Range { ipv4(169, 254, 169, 254), 32, u"cloud metadata service" },
    Ipv4Range { ipv4(100, 100, 100, 200), 32, u"cloud metadata service" }, // Alibaba Cloud
    Ipv4Range { ipv4(192, 0, 0, 192), 32, u"cloud metadata service" }, // Oracle Cloud
    Ipv4Range { ipv4(255, 255, 255, 255), 32, u"broadcast" },
    Ipv4Range { ipv4(0, 0, 0, 0), 8, u"unspecified, \"this network\"" },
    Ipv4Range { ipv4(10, 0, 0, 0), 8, u"RFC 1918 private network" },
    Ipv4Range { ipv4(100, 64, 0, 0), 10, u"carrier-grade NAT" },
    Ipv4Range { ipv4(127, 0, 0, 0), 8, u"loopback" },
    Ipv4Range { ipv4(169, 254, 0, 0), 16, u"link-local" },
    Ipv4Range { ipv4(172, 16, 0, 0), 12, u"RFC 1918 private network" },
    Ipv4Range { ipv4(192, 0, 0, 0), 24, u"IETF protocol assignments" },
    Ipv4Range { ipv4(192, 168, 0, 0), 16, u"RFC 1918 private network" },
    Ipv4Range { ipv4(198, 18, 0, 0), 15, u"benchmarking network" },
    Ipv4Range { ipv4(224, 0, 0, 0), 4, u"multicast" },
    Ipv4Range { ipv4(240, 0, 0, 0), 4, u"reserved" },
};

QString ipv4Category(quint32 address)
{
    for (const Ipv4Range &range : ipv4Ranges) {
        const int shift = 32 - range.prefixLength;
        if ((address >> shift) == (range.base >> shift))
            return QString::fromUtf16(range.category);
    }
    return {};
}

quint32 ipv4At(const Q_IPV6ADDR &a, int offset)
{
    return (quint32(a[offset]) << 24) | (quint32(a[offset + 1]) << 16) | (quint32(a[offset + 2]) << 8)
        | quint32(a[offset + 3]);
}

bool zeroBytes(const Q_IPV6ADDR &a, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (a[i] != 0)
            return false;
    }
    return true;
}

// An IPv6 address that carries an IPv4 one reaches that IPv4 host (through the kernel, a NAT64 gateway or a
// tunnel), so it is judged by it.
QString embeddedCategory(quint32 embedded, QStringView how)
{
    const QString category = ipv4Category(embedded);
    if (category.isEmpty())
        return {};
    return category % u", embedded in " % how;
}

QString ipv6Category(const Q_IPV6ADDR &a)
{
    if (zeroBytes(a, 0, 16))
        return QStringLiteral("unspecified");
    if (zeroBytes(a, 0, 15) && a[15] == 1)
        return QStringLiteral("loopback");
    if (zeroBytes(a, 0, 10) && a[10] == 0xff && a[11] == 0xff)
        return embeddedCategory(ipv4At(a, 12), u"an IPv4-mapped address");
    if (zeroBytes(a, 0, 12))
        return QStringLiteral("IPv4-compatible (deprecated)");
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) {
        if (zeroBytes(a, 4, 12))
            return embeddedCategory(ipv4At(a, 12), u"a NAT64 address");
        if (a[4] == 0x00 && a[5] == 0x01)
            return QStringLiteral("local-use NAT64");
    }
    if (a[0] == 0x01 && zeroBytes(a, 1, 8))
        return QStringLiteral("discard-only");
    if (a[0] == 0x20 && a[1] == 0x02)
        return embeddedCategory(ipv4At(a, 2), u"a 6to4 address");
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00) // Teredo hides the client's IPv4, inverted
        return embeddedCategory(~ipv4At(a, 12), u"a Teredo address");
    // fd00:ec2::254, AWS's instance metadata service over IPv6.
    static constexpr Q_IPV6ADDR awsMetadata { { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54 } };
    if (std::equal(std::begin(a.c), std::end(a.c), std::begin(awsMetadata.c)))
        return QStringLiteral("cloud metadata service");
    if ((a[0] & 0xfe) == 0xfc)
        return QStringLiteral("unique local");
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return QStringLiteral("link-local");
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
        return QStringLiteral("site-local (deprecated)");
    if (a[0] == 0xff)
        return QStringLiteral("multicast");
    return {};
}

// Chromium answers these names with loopback itself, without asking DNS, so a lookup here would disagree with it.
bool isLocalhostName(QString host)
{
    host = host.toLower();
    if (host.endsWith(u'.'))
        host.chop(1);
    return host == u"localhost" || host.endsWith(u".localhost");
}

QString refusal(const QString &host, const QHostAddress &address, const QString &category)
{
    const QString text = address.toString();
    if (host.isEmpty() || host == text)
        return text % u" is private (" % category % u"); this probe does not load private targets";
    return u"host \"" % host % u"\" resolves to " % text % u", which is private (" % category
        % u"); this probe does not load private targets";
}

// Queued, so check() calls back the same way (later, from the event loop) whether or not it had to look up.
void callLater(QObject *context, std::function<void(UrlPolicy::Verdict)> done, UrlPolicy::Verdict verdict)
{
    QMetaObject::invokeMethod(
        context, [done = std::move(done), verdict = std::move(verdict)] { done(verdict); }, Qt::QueuedConnection);
}

} // namespace

UrlPolicy::UrlPolicy(bool allowPrivateTargets)
    : m_allowPrivateTargets(allowPrivateTargets)
    , m_resolver(HostResolver::create())
{ }

void UrlPolicy::setResolver(std::shared_ptr<HostResolver> resolver)
{
    Q_ASSERT(resolver);
    m_resolver = std::move(resolver);
}

UrlPolicy::Verdict UrlPolicy::checkSyntax(const QUrl &url) const
{
    if (!url.isValid())
        return Verdict::refuse(u"not a valid URL: " % url.errorString());
    const qsizetype length = url.toEncoded().size();
    if (length > maxUrlLength)
        return Verdict::refuse(
            QStringLiteral("the URL is %1 bytes long; the limit is %2 bytes").arg(length).arg(maxUrlLength));
    const QString scheme = url.scheme(); // QUrl lowercases it
    if (scheme.isEmpty())
        return Verdict::refuse(QStringLiteral("not an absolute URL (no scheme): only http and https URLs are loaded"));
    if (scheme != u"http" && scheme != u"https")
        return Verdict::refuse(u"the scheme \"" % scheme % u"\" is not allowed: only http and https URLs are loaded");
    if (url.host().isEmpty())
        return Verdict::refuse(QStringLiteral("the URL has no host"));
    return Verdict::allow();
}

UrlPolicy::Verdict UrlPolicy::checkAddress(const QString &host, const QHostAddress &address) const
{
    return judge(m_allowPrivateTargets, host, address);
}

UrlPolicy::Verdict UrlPolicy::judge(bool allowPrivateTargets, const QString &host, const QHostAddress &address)
{
    if (address.isNull())
        return Verdict::refuse(u"host \"" % host % u"\" has no usable address");
    if (allowPrivateTargets)
        return Verdict::allow();
    const QString category = addressCategory(address);
    if (category.isEmpty())
        return Verdict::allow();
    return Verdict::refuse(refusal(host, address, category));
}

UrlPolicy::Verdict UrlPolicy::checkAddress(const QString &host, const QString &address) const
{
    QString text = address.trimmed();
    if (text.startsWith(u'[') && text.endsWith(u']'))
        text = text.mid(1, text.size() - 2);
    QHostAddress parsed;
    if (!parsed.setAddress(text))
        return Verdict::refuse(u"host \"" % host % u"\" was reached at \"" % address % u"\", which is not an address");
    return checkAddress(host, parsed);
}

void UrlPolicy::allowTarget(const QString &host, int port)
{
    m_exemptTargets.append({ host.toLower(), port });
}

bool UrlPolicy::isExempt(const QUrl &url) const
{
    const QString host = url.host().toLower();
    const QString scheme = url.scheme().toLower();
    const int defaultPort = scheme == u"https" || scheme == u"wss" ? 443 : 80;
    const int port = url.port(defaultPort);
    return std::any_of(m_exemptTargets.begin(), m_exemptTargets.end(), [&](const std::pair<QString, int> &target) {
        // No port given means the web's own port of the URL's scheme, not every port of the host: exempting a
        // staging web server must not open its database or admin ports to a page.
        return target.first == host && port == (target.second < 0 ? defaultPort : target.second);
    });
}

bool UrlPolicy::isExemptTarget(const QString &host, int port) const
{
    const QString lower = host.toLower();
    return std::any_of(m_exemptTargets.begin(), m_exemptTargets.end(), [&](const std::pair<QString, int> &target) {
        return target.first == lower && (target.second < 0 ? port == 80 || port == 443 : port == target.second);
    });
}

void UrlPolicy::check(const QUrl &url, QObject *context, std::function<void(Verdict)> done) const
{
    // The callback holds the resolver, so a temporary policy's lookup still gets its answer.
    check(url, *m_resolver, context,
        [resolver = m_resolver, done = std::move(done)](Verdict verdict) { done(std::move(verdict)); });
}

void UrlPolicy::check(const QUrl &url, HostLookup &lookup, QObject *context, std::function<void(Verdict)> done) const
{
    Q_ASSERT(context);
    Q_ASSERT(done);
    if (const Verdict syntax = checkSyntax(url); !syntax.allowed)
        return callLater(context, std::move(done), syntax);
    if (isExempt(url))
        return callLater(context, std::move(done), Verdict::allow());
    resolve(url.host(), -1, lookup, context,
        [done = std::move(done)](Verdict verdict, const QList<QHostAddress> &) { done(std::move(verdict)); });
}

void UrlPolicy::resolve(const QString &host, int port, HostLookup &lookup, QObject *context,
    std::function<void(Verdict, QList<QHostAddress>)> done) const
{
    // An exempt target may resolve to private addresses; it is still reached only at the ones it resolved to.
    const bool allowPrivate = m_allowPrivateTargets || (port >= 0 && isExemptTarget(host, port));
    Q_ASSERT(context);
    Q_ASSERT(done);
    const auto answerLater = [context](std::function<void(Verdict, QList<QHostAddress>)> done, Verdict verdict,
                                 QList<QHostAddress> addresses) {
        QMetaObject::invokeMethod(
            context,
            [done = std::move(done), verdict = std::move(verdict), addresses = std::move(addresses)] {
                done(verdict, verdict.allowed ? addresses : QList<QHostAddress> {});
            },
            Qt::QueuedConnection);
    };
    QHostAddress literal;
    if (literal.setAddress(host))
        return answerLater(std::move(done), judge(allowPrivate, host, literal), { literal });
    if (isLocalhostName(host)) {
        const QHostAddress loopback(QHostAddress::LocalHost);
        return answerLater(std::move(done), judge(allowPrivate, host, loopback), { loopback });
    }
    // The answer may come after this policy is gone: only what judging needs is kept.
    lookup.lookup(
        host, m_lookupTimeout, context, [host, allowPrivate, done = std::move(done)](const HostAnswer &answer) {
            if (answer.timedOut)
                return done(Verdict::refuse(answer.error), {});
            if (!answer.ok()) {
                const QString detail = answer.error.isEmpty() ? QStringLiteral("no addresses") : answer.error;
                return done(Verdict::refuse(u"host \"" % host % u"\" does not resolve (" % detail % u')'), {});
            }
            // The browser may connect to any of them, so one refused address refuses the host.
            for (const QHostAddress &address : answer.addresses) {
                if (Verdict verdict = judge(allowPrivate, host, address); !verdict.allowed)
                    return done(std::move(verdict), {});
            }
            done(Verdict::allow(), answer.addresses);
        });
}

QString UrlPolicy::addressCategory(const QHostAddress &address)
{
    switch (address.protocol()) {
    case QAbstractSocket::IPv4Protocol:
        return ipv4Category(address.toIPv4Address());
    case QAbstractSocket::IPv6Protocol:
        return ipv6Category(address.toIPv6Address());
    case QAbstractSocket::AnyIPProtocol: // QHostAddress::Any: the unspecified address of either family
        return QStringLiteral("unspecified");
    case QAbstractSocket::UnknownNetworkLayerProtocol:
        break;
    }
    return QStringLiteral("not an address");
}
