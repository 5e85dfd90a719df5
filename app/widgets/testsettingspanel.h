#pragma once

#include "model/testsettings.h"

#include <QDialog>

#include <functional>
#include <optional>

class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class ScriptEditor;
class SecretStore;
class StatusLabel;

// Test settings: what the next test sends and blocks beyond its URL (LoadOptions::test): headers (each for every
// host or one, its value secret unless ticked public), cookies, a user agent, HTTP basic auth, and requests to
// block by URL pattern or host. Opened from the main form; it keeps what was typed for the session, and settings()
// checks it with the shared model's own grammar, saying inline, next to the field, what is wrong.
//
// Secrets are never written to the app's settings file or the history. The password of basic auth is only named
// here (a keychain secret, saved from this panel); a header or cookie value may be ${secret:NAME} to take it from
// the keychain too. What is remembered between sessions (rememberable()) keeps such references and public header
// values; any other header or cookie value is remembered as ••• and must be typed again, as after reopening a test
// from the history, whose values are masked the same way. A value left as ••• is an error, never sent.
//
// The Script tab holds a WebPageTest script (probe/SCRIPTS.md), checked as it is typed; with one, the test starts
// where the script's first navigate goes and measures the page its measured step loads.
class TestSettingsPanel final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestSettingsPanel)

public:
    // `secrets` is not owned and may be null (then no secret can be saved from here).
    explicit TestSettingsPanel(SecretStore *secrets, QWidget *parent = nullptr);

    // The settings as the panel holds them; nullopt when a field is wrong, each wrong field then says why.
    std::optional<TestSettings> settings();
    // Replaces what the panel holds (a test reopened from the history, the remembered settings).
    void setSettings(const TestSettings &settings);
    // The first problem settings() found, for the form's error line; empty when there is none.
    QString firstError() const { return m_firstError; }
    // For the form's button: "Test settings", or "Test settings (3)" with three settings made.
    QString buttonText() const;

    // The form's button: it opens the panel and counts the settings made.
    QPushButton *makeButton(QWidget *parent);
    // Calls `done` with `settings` and the values of the secrets they name, read from the keychain, or with why
    // not: at once when they name none, else on the event loop, with `go` disabled meanwhile (a keychain may ask
    // to be unlocked). `go` is the context: `done` is not called once it is gone.
    void withSecrets(const TestSettings &settings, QWidget *go,
        std::function<void(const TestSettings &settings, const QString &error)> done);

    // What may be kept in the app's settings: see the class comment.
    static TestSettings rememberable(const TestSettings &settings);
    // The remembered settings into the panel; the settings of a started test into the app's settings.
    void restore();
    static void remember(const TestSettings &settings);

    QTabWidget *tabs() const { return m_tabs; }

    // The parts a person fills in, for tests.
    void addHeader(const HeaderSetting &header);
    void addCookie(const CookieSetting &cookie);
    QTableWidget *headerTable() const { return m_headers; }
    QTableWidget *cookieTable() const { return m_cookies; }
    QLineEdit *userAgentField() const { return m_userAgent; }
    QLineEdit *authUserField() const { return m_authUser; }
    QLineEdit *authSecretField() const { return m_authSecret; }
    QLineEdit *secretValueField() const { return m_secretValue; }
    QPushButton *saveSecretButton() const { return m_saveSecret; }
    StatusLabel *secretStatus() const { return m_secretStatus; }
    QPlainTextEdit *blockField() const { return m_block; }
    QLineEdit *blockDomainsField() const { return m_blockDomains; }
    QLineEdit *blockDomainsExceptField() const { return m_blockDomainsExcept; }
    StatusLabel *headersError() const { return m_headersError; }
    StatusLabel *cookiesError() const { return m_cookiesError; }
    StatusLabel *authError() const { return m_authError; }
    StatusLabel *blockError() const { return m_blockError; }
    ScriptEditor *scriptEditor() const { return m_script; }
    StatusLabel *scriptError() const { return m_scriptError; }

signals:
    void changed();

public slots:
    void accept() override;

private:
    QWidget *buildRequestsTab();
    QWidget *buildAuthTab();
    QWidget *buildBlockingTab();
    QWidget *buildScriptTab();
    void saveSecret();
    QString readHeaders(TestSettings &settings) const;
    QString readCookies(TestSettings &settings) const;
    QString readAuth(TestSettings &settings) const;
    QString readBlocking(TestSettings &settings) const;
    void showError(StatusLabel *label, const QString &error);

    SecretStore *m_secrets;
    QString m_firstError;
    QTabWidget *m_tabs = nullptr;
    QTableWidget *m_headers = nullptr;
    QTableWidget *m_cookies = nullptr;
    QLineEdit *m_userAgent = nullptr;
    QLineEdit *m_authUser = nullptr;
    QLineEdit *m_authSecret = nullptr;
    QLineEdit *m_secretValue = nullptr;
    QPushButton *m_saveSecret = nullptr;
    QPlainTextEdit *m_block = nullptr;
    ScriptEditor *m_script = nullptr;
    StatusLabel *m_scriptError = nullptr;
    QLineEdit *m_blockDomains = nullptr;
    QLineEdit *m_blockDomainsExcept = nullptr;
    StatusLabel *m_headersError = nullptr;
    StatusLabel *m_cookiesError = nullptr;
    StatusLabel *m_authError = nullptr;
    StatusLabel *m_blockError = nullptr;
    StatusLabel *m_secretStatus = nullptr;
};
