#pragma once

#include <QCoreApplication>
#include <QString>
#include <QUrl>

#include <optional>

// What the user typed in the form or on worldspeed-cli's command line, as the page to test: http and https only, a
// message that says what to type instead when it is not one. An address without a scheme gets the one a browser's
// address bar would pick: https, except for hosts that are only ever served in plain http in practice (localhost,
// an IP address, a port other than 443: a development server, a router, a staging box).
class TestAddress final
{
    Q_DECLARE_TR_FUNCTIONS(TestAddress)

public:
    static std::optional<QUrl> parse(const QString &text, QString *error);

private:
    // The scheme to put before `text` (which has none): "http://" or "https://".
    static QString defaultScheme(const QString &text);
};
