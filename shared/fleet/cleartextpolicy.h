#pragma once

#include <QString>
#include <QUrl>

// Where a token may travel unencrypted. A probe's token (in `auth`) and a cloud API's bearer token (in every
// request) open whatever they guard to anyone who reads them on the way, so ws:// and http:// are used only to
// loopback, where the traffic never leaves this machine, or where the fleet config says so explicitly with
// "insecurePlaintext": true (a network that is encrypted by other means: a VPN, a service mesh, a test network).
// One rule for the ProbeClient, the backends' settings and the cloud API client, so that each refuses alike and
// says how to fix it.
class CleartextPolicy final
{
public:
    CleartextPolicy() = delete;

    // The fleet config's key that allows clear text off loopback.
    static constexpr const char *configKey = "insecurePlaintext";

    // 127.0.0.0/8, ::1 (also as an IPv4-mapped address), "localhost" and names under ".localhost" (RFC 6761 keeps
    // them on this machine).
    static bool isLoopbackHost(const QString &host);
    // ws:// or http://.
    static bool isPlaintext(const QUrl &url);
    // Empty when `url` may carry a token: it is encrypted, it stays on loopback, or `insecurePlaintext` allows it.
    // Else why not, naming the URL, its host and the fix; `what` says which token ("the probe token", "the Fly API
    // token") and `where` where to set the key ("for this probe", "in this region's backend").
    static QString refusal(const QUrl &url, bool insecurePlaintext, const QString &what, const QString &where);
};
