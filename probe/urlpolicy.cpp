#include "urlpolicy.h"

#include "model/displayformat.h"

#include <QHostInfo>
#include <QMetaObject>
#include <QObject>
#include <QTimer>

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
{ }

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
    if (address.isNull())
        return Verdict::refuse(u"host \"" % host % u"\" has no usable address");
    if (m_allowPrivateTargets)
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

void UrlPolicy::check(const QUrl &url, QObject *context, std::function<void(Verdict)> done) const
{
    Q_ASSERT(context);
    Q_ASSERT(done);
    if (const Verdict syntax = checkSyntax(url); !syntax.allowed)
        return callLater(context, std::move(done), syntax);
    if (isExempt(url))
        return callLater(context, std::move(done), Verdict::allow());

    const QString host = url.host();
    QHostAddress literal;
    if (literal.setAddress(host))
        return callLater(context, std::move(done), checkAddress(host, literal));
    if (isLocalhostName(host))
        return callLater(context, std::move(done), checkAddress(host, QHostAddress(QHostAddress::LocalHost)));

    // Whichever of the lookup and the timeout comes first answers; the other finds `finished` set.
    struct Pending
    {
        std::function<void(Verdict)> done;
        int lookupId = -1;
        bool finished = false;
    };
    auto pending = std::make_shared<Pending>();
    pending->done = std::move(done);

    auto *timer = new QTimer(context); // owned by context, so it dies with it like the lookup's callback
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, context, [pending, host, timer, timeout = m_lookupTimeout] {
        timer->deleteLater();
        if (pending->finished)
            return;
        pending->finished = true;
        QHostInfo::abortHostLookup(pending->lookupId);
        pending->done(Verdict::refuse(QStringLiteral("looking up host \"%1\" took longer than %2")
                                          .arg(host, DisplayFormat::duration(double(timeout.count())))));
    });
    timer->start(m_lookupTimeout);

    const UrlPolicy policy = *this; // the callback may outlive this object
    pending->lookupId = QHostInfo::lookupHost(
        url.host(QUrl::EncodeUnicode), context, [pending, host, timer, policy](const QHostInfo &info) {
            if (pending->finished)
                return;
            pending->finished = true;
            timer->stop();
            timer->deleteLater();
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                const QString detail
                    = info.error() != QHostInfo::NoError ? info.errorString() : QStringLiteral("no addresses");
                pending->done(Verdict::refuse(u"host \"" % host % u"\" does not resolve (" % detail % u')'));
                return;
            }
            // The browser may connect to any of them, so one refused address refuses the host.
            for (const QHostAddress &address : info.addresses()) {
                if (Verdict verdict = policy.checkAddress(host, address); !verdict.allowed) {
                    pending->done(std::move(verdict));
                    return;
                }
            }
            pending->done(Verdict::allow());
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
