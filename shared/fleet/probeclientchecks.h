#pragma once

#include "probeclient.h"

#include <QString>

#include <optional>

// What ProbeClient refuses before anything reaches the wire: an endpoint it will not connect to, a run it will not
// send. Each check returns the reason, in the words ProbeClient reports it (failed(), submit()'s error), or an empty
// string. Kept apart from the connection's state machine because they depend on nothing but their arguments.
class ProbeClientChecks final
{
public:
    // `pin`: the endpoint's pinnedCertificateSha256 as CertificatePin::parse() read it (empty when unset or bad).
    static QString endpointProblem(const ProbeClient::Endpoint &endpoint, const QByteArray &pin);
    // `probe`: the connected probe's hello, whose capabilities the options may need.
    static QString runProblem(
        const QString &runId, const QUrl &url, const LoadOptions &options, const std::optional<HelloMessage> &probe);
};
