#include "probeclientchecks.h"

#include "cleartextpolicy.h"

namespace {

// Header names and values go into the upgrade request verbatim: no line breaks, so nothing can be smuggled in.
bool isHeaderSafe(const QByteArray &name, const QByteArray &value)
{
    const auto breaks
        = [](const QByteArray &text) { return text.contains('\r') || text.contains('\n') || text.contains('\0'); };
    return !name.isEmpty() && !name.contains(':') && !name.contains(' ') && !breaks(name) && !breaks(value);
}

} // namespace

QString ProbeClientChecks::endpointProblem(const ProbeClient::Endpoint &endpoint, const QByteArray &pin)
{
    QString invalid;
    const QString scheme = endpoint.url.scheme();
    if (!endpoint.url.isValid() || (scheme != u"ws" && scheme != u"wss"))
        invalid = QStringLiteral("not a ws:// or wss:// URL: %1").arg(endpoint.url.toDisplayString());
    else if (endpoint.token.isEmpty() || endpoint.token.size() > ProtocolLimits::maxTokenLength)
        invalid = QStringLiteral("the token must be 1 … %1 characters").arg(ProtocolLimits::maxTokenLength);
    else if (!endpoint.pinnedCertificateSha256.isEmpty() && pin.isEmpty())
        invalid = QStringLiteral("the certificate pin is neither 64 hex digits nor 32 bytes");
    else if (!pin.isEmpty() && scheme != u"wss")
        invalid = QStringLiteral("a certificate pin needs a wss:// URL");
    else
        invalid = CleartextPolicy::refusal(
            endpoint.url, endpoint.insecurePlaintext, QStringLiteral("the probe token"), QStringLiteral("for it"));
    for (const auto &[name, value] : endpoint.headers) {
        if (invalid.isEmpty() && !isHeaderSafe(name, value))
            invalid = QStringLiteral("header \"%1\" is not a valid HTTP header").arg(QString::fromLatin1(name));
    }
    return invalid;
}

QString ProbeClientChecks::runProblem(
    const QString &runId, const QUrl &url, const LoadOptions &options, const std::optional<HelloMessage> &probe)
{
    if (!ProtocolLimits::isIdentifier(runId)) {
        return QStringLiteral("run id \"%1\" is not 1–64 characters of A–Z, a–z, 0–9, '_' and '-'")
            .arg(runId.left(ProtocolLimits::maxIdentifierLength + 1));
    }
    if (!url.isValid() || url.isEmpty())
        return QStringLiteral("not a valid URL: %1").arg(url.errorString());
    for (const QString &needed : options.requiredCapabilities()) {
        if (probe && !probe->capabilities.contains(needed)) {
            return QStringLiteral("this probe (%1 %2) cannot honour the option \"%3\": update it")
                .arg(probe->software, probe->version, needed);
        }
    }
    // A secret without its value would reach the page as its name ("${secret:pw}") or not at all: the run would
    // measure something else than asked. The caller resolves them (a keychain) before it submits.
    for (const QString &secret : options.test.secretNames()) {
        if (!options.test.secretValues.contains(secret))
            return QStringLiteral("the options use the secret \"%1\", whose value was not given").arg(secret);
    }
    // The probe's own checks, here, so a caller hears of a bad run at once rather than as an `error` later.
    const RunMessage run { runId, url.toString(QUrl::FullyEncoded), options };
    QString why;
    if (!RunMessage::fromJson(run.toJson(), &why))
        return QStringLiteral("the probe would refuse this run: %1").arg(why);
    return QString();
}
