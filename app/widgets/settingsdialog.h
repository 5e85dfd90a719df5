#pragma once

#include "fleet/fleetconfig.h"
#include "statuslabel.h"

#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QGridLayout;
class QWidget;
class FleetEditor;
class SecretStore;

// The app's settings, in three tabs:
//   Fleet  — the fleet config: where it is saved, its regions in a FleetEditor (add, edit, remove in forms; tokens
//            straight to the keychain), "Choose file…" to take another file's config and "Edit as JSON…" for the
//            same config as JSON, kept in step with the list both ways and checked with FleetConfig::fromJson on
//            every change (the error, with its field path, under the editor; OK stays disabled while the text is
//            not a valid config).
//   Tokens — one row per secret the config names (every backend setting whose key ends in "Secret"), to type the
//            token and save it to the keychain through a SecretStore. Tokens never go to QSettings or the file.
//   Local probes — the Chrome the local probes start (AppSettings::chromePath), which must be an executable.
//
// On OK the config is saved to the path the caller gave (FleetConfig::save) if it changed, and the Chrome path to
// the app's settings; fleetConfig() is then the one to rebuild the fleet from.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    // `secrets` is not owned and may be null (the Tokens tab then says there is no keychain).
    SettingsDialog(
        const FleetConfig &config, const QString &configPath, SecretStore *secrets, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // The config as edited; only meaningful while isConfigValid().
    FleetConfig fleetConfig() const { return m_config; }
    bool fleetConfigChanged() const { return m_config != m_initialConfig; }
    bool isConfigValid() const { return m_configError.isEmpty(); }
    QString configError() const { return m_configError; }
    QString configPath() const { return m_configPath; }
    QString chromePath() const;

    // Opens the Fleet tab's form for a new region once the dialog runs (the first-start panel's "Add a region…").
    void addRegionWhenShown();

    // Takes the config in another file (what "Choose file…" does with the file picked); false, and the reason
    // shown, when it does not load.
    bool loadConfigFile(const QString &path);

    // A secret the config names, and where ("syd: backend.tokenSecret").
    struct SecretUse
    {
        QString name;
        QStringList fields;
    };
    // Sorted by name, each once.
    static QList<SecretUse> secretUses(const FleetConfig &config);
    // "tokenSecret in syd, nrt; probes[0].tokenSecret in home-lab": the fields grouped, for a row's caption.
    static QString usageText(const SecretUse &use);
    // Empty when `path` is "" (the probe finds Chrome itself) or an executable file, else why not.
    static QString chromePathProblem(const QString &path);

    // The parts a test drives.
    QTabWidget *tabs() const { return m_tabs; }
    QPushButton *okButton() const { return m_okButton; }
    QPushButton *editButton() const { return m_editButton; }
    QPlainTextEdit *jsonEditor() const { return m_editor; }
    QLabel *configStatusLabel() const { return m_configStatus; }
    QTreeWidget *regionList() const;
    FleetEditor *fleetEditor() const { return m_fleetEditor; }
    QStringList tokenNames() const;
    QLineEdit *tokenEdit(const QString &secret) const;
    QPushButton *tokenSaveButton(const QString &secret) const;
    QLabel *tokenStatusLabel(const QString &secret) const;
    QLineEdit *chromePathEdit() const { return m_chromePath; }
    QLabel *chromePathStatusLabel() const { return m_chromeStatus; }

public slots:
    void accept() override;

private:
    struct TokenRow
    {
        QString name;
        QLabel *nameLabel = nullptr;
        QLabel *usage = nullptr;
        QLineEdit *edit = nullptr;
        QPushButton *save = nullptr;
        StatusLabel *status = nullptr; // also the context of its keychain calls
        bool writing = false;
        bool written = false; // a write answered: a late read must not undo its status
    };

    QWidget *makeFleetTab();
    QWidget *makeTokensTab();
    QWidget *makeLocalTab();
    void showEditor();
    void onJsonEdited();
    void setConfig(const FleetConfig &config, bool updateEditor);
    void rebuildTokenRows();
    // Its widgets on the next two lines of the grid.
    TokenRow &addTokenRow(const SecretUse &use);
    // Asks the keychain whether it holds the token (not for the value) and says so.
    void showKeychainState(TokenRow &row);
    void saveToken(const QString &name);
    TokenRow *tokenRow(const QString &name) const;
    void onChromePathEdited();
    void chooseConfigFile();
    void browseChrome();
    void updateOk();

    FleetConfig m_initialConfig;
    FleetConfig m_config;
    QString m_configPath;
    QString m_loadedFrom; // a file "Choose file…" took the config from
    QString m_configError;
    SecretStore *m_secrets;

    QTabWidget *m_tabs = nullptr;
    QPushButton *m_okButton = nullptr;
    QLabel *m_pathLabel = nullptr;
    FleetEditor *m_fleetEditor = nullptr;
    QPushButton *m_editButton = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    StatusLabel *m_configStatus = nullptr;
    QWidget *m_tokensBox = nullptr;
    QGridLayout *m_tokensGrid = nullptr;
    QLabel *m_noTokens = nullptr;
    std::vector<std::unique_ptr<TokenRow>> m_tokenRows;
    QLineEdit *m_chromePath = nullptr;
    StatusLabel *m_chromeStatus = nullptr;
    bool m_settingText = false;
};
