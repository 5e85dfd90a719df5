#pragma once

#include "connectiontest.h"
#include "fleet/fleetconfig.h"
#include "regioncatalog.h"

#include <QDialog>
#include <QHash>
#include <QString>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class SecretStore;
class StatusLabel;

// One region of the fleet config in a form: its code, name and place (typed, or a city of the catalog), its
// backend — this computer, the user's own probe by URL, Fly.io or Kubernetes — with the fields each needs, and
// the pool's size. Every change is checked as the fleet would check it (FleetConfig, then the backend's own
// settings, with the other regions for clashing codes); the problem shows under the form and OK waits for a
// valid region.
//
// A token is typed here and goes straight to the keychain under the name the backend's "tokenSecret" gives (a
// new region gets "<kind>-<code>"); the region's JSON only names it. OK writes the token first and closes once
// the keychain took it; a keychain error stays in the form, the region unchanged. "Test connection" boots or
// reaches one probe with the form's settings (and the typed token, without saving it) and shows its version and
// browser, or why not.
class RegionForm final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegionForm)

public:
    // The backends, in the order of the "Backend" choice.
    enum Kind { Local, OwnProbe, Fly, Kubernetes };

    // `others`: the fleet's other regions (for clashing codes). `secrets` is not owned and may be null (no token
    // can then be saved). `region` null: a new one.
    RegionForm(const QList<RegionConfig> &others, SecretStore *secrets, const RegionConfig *region = nullptr,
        QWidget *parent = nullptr);
    ~RegionForm() override;

    // The region as the form says; meaningful while problem() is empty.
    RegionConfig region() const;
    // Why the form is not a valid region yet, or empty.
    QString problem() const { return m_problem; }

    // The parts a test drives.
    QLineEdit *codeEdit() const { return m_code; }
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *placeCombo() const { return m_place; }
    QDoubleSpinBox *latitudeSpin() const { return m_latitude; }
    QDoubleSpinBox *longitudeSpin() const { return m_longitude; }
    QComboBox *kindCombo() const { return m_kind; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *tokenEdit() const { return m_token; }
    QLineEdit *tokenNameEdit() const { return m_tokenName; }
    QCheckBox *plaintextCheck() const { return m_plaintext; }
    QLineEdit *appEdit() const { return m_app; }
    QLineEdit *cloudRegionEdit() const { return m_cloudRegion; }
    QLineEdit *imageEdit() const { return m_image; }
    QLineEdit *apiServerEdit() const { return m_apiServer; }
    QLineEdit *tlsSecretEdit() const { return m_tlsSecret; }
    QSpinBox *maxRunnersSpin() const { return m_maxRunners; }
    QSpinBox *concurrencySpin() const { return m_concurrency; }
    QPushButton *okButton() const { return m_ok; }
    QPushButton *testButton() const { return m_test; }
    StatusLabel *statusLabel() const { return m_status; }
    StatusLabel *testStatusLabel() const { return m_testStatus; }

public slots:
    void accept() override;

private:
    QWidget *makePlaceRow();
    void addTokenAndPoolRows(QFormLayout *form);
    QWidget *makeBackendPages();
    void load(const RegionConfig &region);
    void connectFields();
    void showKind(int kind);
    void onPlaceChosen(int index);
    void validate();
    void testConnection();
    QString defaultTokenName() const;
    // The backend object as the form says, over what the region had (settings the form does not show stay).
    QJsonObject backendSettings() const;
    QHash<QString, QString> typedTokens() const;

    QList<RegionConfig> m_others;
    SecretStore *m_secrets;
    RegionConfig m_original; // the region edited, or a new one's defaults
    RegionCatalog m_catalog;
    ConnectionTest m_connectionTest;
    QString m_problem;
    bool m_saving = false;

    QLineEdit *m_code = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_place = nullptr;
    QDoubleSpinBox *m_latitude = nullptr;
    QDoubleSpinBox *m_longitude = nullptr;
    QComboBox *m_kind = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_pin = nullptr;
    QLineEdit *m_app = nullptr;
    QLineEdit *m_cloudRegion = nullptr;
    QLineEdit *m_image = nullptr;
    QLineEdit *m_apiServer = nullptr;
    QLineEdit *m_namespace = nullptr;
    QLineEdit *m_tlsSecret = nullptr;
    QLineEdit *m_tokenName = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_plaintext = nullptr;
    QWidget *m_tokenRow = nullptr;
    QWidget *m_cloudBox = nullptr;
    QSpinBox *m_maxRunners = nullptr;
    QSpinBox *m_concurrency = nullptr;
    StatusLabel *m_status = nullptr;
    StatusLabel *m_testStatus = nullptr;
    QPushButton *m_ok = nullptr;
    QPushButton *m_test = nullptr;
};
