// libFuzzer target: UrlPolicy's pure parts, no DNS. The input is taken three ways: as the URL of a `run` (QUrl in
// strict mode, as the probe server parses it) and of a CDP event (tolerant mode, as the page loader parses it),
// through checkSyntax(), isExempt() and, for an IP literal host, checkAddress(); as the remoteIPAddress text CDP
// reports, through checkAddress(host, text); and its first 16 bytes as a raw IPv6 address, whose IPv4 forms
// (mapped, NAT64) must be judged as the IPv4 address they carry.

#include "fuzzcheck.h"
#include "urlpolicy.h"

#include <cstdint>

namespace {

const UrlPolicy strict(false);
const UrlPolicy open(true);
const UrlPolicy exempting = [] {
    UrlPolicy policy(false);
    policy.allowTarget(QStringLiteral("staging.internal"));
    policy.allowTarget(QStringLiteral("10.0.0.7"), 8080);
    return policy;
}();

void checkVerdict(const UrlPolicy::Verdict &verdict, const QString &what)
{
    fuzzExpect(verdict.allowed == verdict.reason.isEmpty(),
        QStringLiteral("allowed with a reason, or refused without one: ") + what);
}

void checkUrl(const QUrl &url)
{
    const UrlPolicy::Verdict syntax = strict.checkSyntax(url);
    checkVerdict(syntax, url.toString());
    if (syntax.allowed) {
        fuzzExpect(
            url.scheme() == u"http" || url.scheme() == u"https", QStringLiteral("allowed scheme ") + url.scheme());
        fuzzExpect(!url.host().isEmpty(), QStringLiteral("allowed without a host"));
        fuzzExpect(url.toEncoded().size() <= UrlPolicy::maxUrlLength, QStringLiteral("allowed over the length limit"));
    }
    fuzzExpect(!strict.isExempt(url), QStringLiteral("exempt with no exemptions"));
    exempting.isExempt(url);

    QHostAddress literal;
    if (literal.setAddress(url.host())) {
        const UrlPolicy::Verdict address = strict.checkAddress(url.host(), literal);
        checkVerdict(address, url.host());
        fuzzExpect(address.allowed == !UrlPolicy::isPrivateAddress(literal),
            QStringLiteral("the verdict disagrees with the category for ") + url.host());
        fuzzExpect(
            open.checkAddress(url.host(), literal).allowed, QStringLiteral("refused with private targets allowed"));
    }
}

void checkEmbedding(const std::uint8_t *data, std::size_t size)
{
    if (size < 16)
        return;
    Q_IPV6ADDR raw;
    std::copy(data, data + 16, raw.c);
    const QHostAddress ipv6(raw);
    checkVerdict(strict.checkAddress({}, ipv6), ipv6.toString());
    // The same address as text, the way CDP reports it, with and without brackets.
    const bool direct = strict.checkAddress({}, ipv6).allowed;
    fuzzExpect(strict.checkAddress({}, ipv6.toString()).allowed == direct,
        QStringLiteral("text form judged otherwise: ") + ipv6.toString());
    fuzzExpect(strict.checkAddress({}, u'[' + ipv6.toString() + u']').allowed == direct,
        QStringLiteral("bracketed form judged otherwise: ") + ipv6.toString());

    const quint32 ipv4 = quint32(raw[12]) << 24 | quint32(raw[13]) << 16 | quint32(raw[14]) << 8 | raw[15];
    const bool privateIpv4 = UrlPolicy::isPrivateAddress(QHostAddress(ipv4));
    Q_IPV6ADDR mapped {};
    mapped[10] = mapped[11] = 0xff;
    std::copy(raw.c + 12, raw.c + 16, mapped.c + 12);
    fuzzExpect(UrlPolicy::isPrivateAddress(QHostAddress(mapped)) == privateIpv4,
        QStringLiteral("IPv4-mapped form judged otherwise: ") + QHostAddress(ipv4).toString());
    Q_IPV6ADDR nat64 {};
    nat64[1] = 0x64;
    nat64[2] = 0xff;
    nat64[3] = 0x9b;
    std::copy(raw.c + 12, raw.c + 16, nat64.c + 12);
    fuzzExpect(UrlPolicy::isPrivateAddress(QHostAddress(nat64)) == privateIpv4,
        QStringLiteral("NAT64 form judged otherwise: ") + QHostAddress(ipv4).toString());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkUrl(QUrl(text, QUrl::StrictMode));
    checkUrl(QUrl(text, QUrl::TolerantMode));
    checkVerdict(strict.checkAddress(QStringLiteral("example.com"), text), text);
    checkEmbedding(data, size);
    return 0;
}
