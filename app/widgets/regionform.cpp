#include "regionform.h"

#include "fleet/configuredfleet.h"
#include "fleet/secretstore.h"
#include "statuslabel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace {

using Tone = Theme::Tone;

const QStringList backendTypes { QStringLiteral("local"), QStringLiteral("static"), QStringLiteral("fly"),
    QStringLiteral("kubernetes") };

// What a fleet error says without the place in the file, which the form does not show: "regions[3] (lab).backend:
// probes[0].url: …" reads "backend: probes[0].url: …".
QString withoutRegionPath(QString error)
{
    static const QRegularExpression prefix(QStringLiteral("^regions\\[\\d+\\](?: \\([^)]*\\))?\\.?"));
    return error.remove(prefix);
}

void setOrRemove(QJsonObject &object, const QString &key, const QString &value)
{
    if (value.trimmed().isEmpty())
        object.remove(key); // so the check says "is required" where it is
    else
        object.insert(key, value.trimmed());
}

void setFlag(QJsonObject &object, const QString &key, bool on)
{
    if (on)
        object.insert(key, true);
    else
        object.remove(key);
}

QLineEdit *lineEdit(QWidget *parent, const QString &placeholder)
{
    auto *edit = new QLineEdit(parent);
    edit->setPlaceholderText(placeholder);
    return edit;
}

} // namespace

RegionForm::RegionForm(
    const QList<RegionConfig> &others, SecretStore *secrets, const RegionConfig *region, QWidget *parent)
    : QDialog(parent)
    , m_others(others)
    , m_secrets(secrets)
    , m_catalog(RegionCatalog::builtIn())
    , m_connectionTest(secrets)
{
    setWindowTitle(region ? tr("Edit region %1").arg(region->code) : tr("Add a region"));
    if (region) {
        m_original = *region;
    } else {
        m_original.backendType = QStringLiteral("static");
    }

    auto *intro = new QLabel(tr("A region is a place the app measures from: a probe there loads the page in a real "
                                "browser. It runs on this computer, on a machine of yours, or in a cloud."),
        this);
    intro->setWordWrap(true);

    auto *form = new QFormLayout;
    m_code = lineEdit(this, tr("e.g. fra, home-lab"));
    m_code->setToolTip(tr("1–64 of A–Z a–z 0–9 _ -; unique in the fleet. Results and logs use it."));
    form->addRow(tr("&Code:"), m_code);
    m_name = lineEdit(this, tr("e.g. Frankfurt (the code if empty)"));
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Place:"), makePlaceRow());
    m_kind = new QComboBox(this);
    m_kind->addItems({ tr("This computer (local probes)"), tr("Your own probe, by URL"), tr("Fly.io machines"),
        tr("Kubernetes pods") });
    form->addRow(tr("&Backend:"), m_kind);
    form->addRow(QString(), makeBackendPages());
    // Both clouds need where and what to start; one pair of fields serves them.
    m_cloudBox = new QWidget(this);
    auto *cloud = new QFormLayout(m_cloudBox);
    cloud->setContentsMargins(0, 0, 0, 0);
    cloud->addRow(tr("&Region:"), m_cloudRegion);
    cloud->addRow(tr("&Image:"), m_image);
    form->addRow(QString(), m_cloudBox);

    addTokenAndPoolRows(form);

    m_status = new StatusLabel(this);
    m_status->setWordWrap(true);
    m_testStatus = new StatusLabel(this);
    m_testStatus->setWordWrap(true);
    m_testStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_test = buttons->addButton(tr("T&est connection"), QDialogButtonBox::ActionRole);
    m_test->setToolTip(tr("Start or reach one probe with these settings and ask for its version and browser."));
    connect(buttons, &QDialogButtonBox::accepted, this, &RegionForm::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RegionForm::reject);
    connect(m_test, &QPushButton::clicked, this, &RegionForm::testConnection);
    connect(&m_connectionTest, &ConnectionTest::progress, this,
        [this](const QString &text) { m_testStatus->setStatus(text, Tone::Busy); });
    connect(&m_connectionTest, &ConnectionTest::finished, this, [this](const ConnectionTest::Outcome &outcome) {
        m_testStatus->setStatus(
            outcome.ok ? tr("Connected: %1").arg(outcome.text) : outcome.text, outcome.ok ? Tone::Ok : Tone::Error);
        validate();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_testStatus);
    layout->addStretch(1);
    layout->addWidget(buttons);

    load(m_original);
    connectFields();
    validate();
    resize(620, sizeHint().height());
}

RegionForm::~RegionForm() = default;

void RegionForm::connectFields()
{
    // Every change is checked at once.
    for (QLineEdit *edit : findChildren<QLineEdit *>())
        connect(edit, &QLineEdit::textChanged, this, &RegionForm::validate);
    for (QDoubleSpinBox *spin : findChildren<QDoubleSpinBox *>())
        connect(spin, &QDoubleSpinBox::valueChanged, this, &RegionForm::validate);
    for (QSpinBox *spin : findChildren<QSpinBox *>())
        connect(spin, &QSpinBox::valueChanged, this, &RegionForm::validate);
    connect(m_plaintext, &QCheckBox::toggled, this, &RegionForm::validate);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this](int kind) {
        showKind(kind);
        if (m_tokenName->text().isEmpty() || m_tokenName->isModified() == false)
            m_tokenName->setText(defaultTokenName());
        validate();
    });
    connect(m_code, &QLineEdit::textChanged, this, [this] {
        if (!m_tokenName->isModified())
            m_tokenName->setText(defaultTokenName());
    });
}

void RegionForm::addTokenAndPoolRows(QFormLayout *form)
{
    m_tokenRow = new QWidget(this);
    auto *tokenLayout = new QHBoxLayout(m_tokenRow);
    tokenLayout->setContentsMargins(0, 0, 0, 0);
    m_token = lineEdit(m_tokenRow, tr("leave empty to keep the keychain's"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setClearButtonEnabled(true);
    m_token->setAccessibleName(tr("Token"));
    m_tokenName = lineEdit(m_tokenRow, tr("keychain entry"));
    m_tokenName->setToolTip(tr("The name the token has in the system keychain; the fleet config holds only this "
                               "name, never the token."));
    tokenLayout->addWidget(m_token, 2);
    tokenLayout->addWidget(new QLabel(tr("saved as"), m_tokenRow));
    tokenLayout->addWidget(m_tokenName, 1);
    form->addRow(tr("&Token:"), m_tokenRow);
    m_plaintext = new QCheckBox(tr("Allow clear text (ws://, http://) off this computer"), this);
    m_plaintext->setToolTip(tr("Only where the network between is encrypted by other means (a VPN, a mesh)."));
    form->addRow(QString(), m_plaintext);

    auto *poolRow = new QHBoxLayout;
    m_maxRunners = new QSpinBox(this);
    m_maxRunners->setRange(1, FleetConfig::maxRunnersPerRegion);
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, 1000);
    poolRow->addWidget(new QLabel(tr("up to"), this));
    poolRow->addWidget(m_maxRunners);
    poolRow->addWidget(new QLabel(tr("probes, each"), this));
    poolRow->addWidget(m_concurrency);
    poolRow->addWidget(new QLabel(tr("runs at once"), this));
    poolRow->addStretch(1);
    form->addRow(tr("Pool:"), poolRow);
}

QWidget *RegionForm::makePlaceRow()
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    m_place = new QComboBox(row);
    m_place->addItem(tr("A city…"));
    for (const RegionCatalog::Region &city : m_catalog.regions()) {
        if (city.code == u"local")
            continue; // "This computer" is no place
        m_place->addItem(QStringLiteral("%1, %2").arg(city.city, city.country), city.code);
    }
    m_place->setToolTip(tr("Where the region's probes are: the pin on the map."));
    connect(m_place, &QComboBox::activated, this, &RegionForm::onPlaceChosen);
    m_latitude = new QDoubleSpinBox(row);
    m_latitude->setRange(-90, 90);
    m_latitude->setDecimals(2);
    m_latitude->setSuffix(QStringLiteral("°"));
    m_latitude->setAccessibleName(tr("Latitude"));
    m_longitude = new QDoubleSpinBox(row);
    m_longitude->setRange(-180, 180);
    m_longitude->setDecimals(2);
    m_longitude->setSuffix(QStringLiteral("°"));
    m_longitude->setAccessibleName(tr("Longitude"));
    layout->addWidget(m_place, 1);
    layout->addWidget(new QLabel(tr("lat."), row));
    layout->addWidget(m_latitude);
    layout->addWidget(new QLabel(tr("long."), row));
    layout->addWidget(m_longitude);
    return row;
}

QWidget *RegionForm::makeBackendPages()
{
    m_pages = new QStackedWidget(this);
    const auto page = [this](const QString &note) {
        auto *widget = new QWidget(m_pages);
        auto *form = new QFormLayout(widget);
        form->setContentsMargins(0, 0, 0, 0);
        auto *label = new QLabel(note, widget);
        label->setWordWrap(true);
        label->setForegroundRole(QPalette::PlaceholderText);
        form->addRow(label);
        m_pages->addWidget(widget);
        return form;
    };
    page(tr("Probes start on this computer when a test needs them, with the browser set under Local probes."));

    QFormLayout *own = page(tr("A worldspeed-probe you run yourself (worldspeed-probe serve), reached over "
                               "WebSocket with the token it was started with."));
    m_url = lineEdit(this, QStringLiteral("wss://probe.example.net:8700"));
    own->addRow(tr("&URL:"), m_url);
    m_pin = lineEdit(this, tr("optional: SHA-256 of its certificate, for a self-signed one"));
    own->addRow(tr("Certificate pin:"), m_pin);

    QFormLayout *fly = page(tr("Fly.io starts a machine per probe in your app; the token is a Fly API token."));
    m_app = lineEdit(this, QStringLiteral("worldspeed-probes"));
    fly->addRow(tr("&App:"), m_app);
    m_cloudRegion = lineEdit(this, tr("the provider's region, e.g. syd, us-east-1"));
    m_image = lineEdit(this, tr("an image with worldspeed-probe, e.g. worldspeed-probe:0.1.0"));

    QFormLayout *kube = page(tr("Kubernetes starts a pod per probe; the token is a service account's bearer token."));
    m_apiServer = lineEdit(this, QStringLiteral("https://k8s.example.com:6443"));
    kube->addRow(tr("API &server:"), m_apiServer);
    m_namespace = lineEdit(this, QStringLiteral("default"));
    kube->addRow(tr("Namespace:"), m_namespace);
    m_tlsSecret = lineEdit(this, tr("a kubernetes.io/tls Secret for wss://, e.g. worldspeed-probe-tls"));
    kube->addRow(tr("TLS secret:"), m_tlsSecret);

    return m_pages;
}

void RegionForm::load(const RegionConfig &region)
{
    m_code->setText(region.code);
    m_name->setText(region.name == region.code ? QString() : region.name);
    m_latitude->setValue(region.latitude);
    m_longitude->setValue(region.longitude);
    const QJsonObject backend = region.backendSettings;
    const QJsonObject probe = backend.value(QStringLiteral("probes")).toArray().at(0).toObject();
    const QJsonObject secretHolder = region.backendType == u"static" ? probe : backend;
    m_url->setText(probe.value(QStringLiteral("url")).toString());
    m_pin->setText(probe.value(QStringLiteral("pinnedCertificateSha256")).toString());
    m_app->setText(backend.value(QStringLiteral("app")).toString());
    m_cloudRegion->setText(backend.value(QStringLiteral("region")).toString());
    m_image->setText(backend.value(QStringLiteral("image")).toString());
    m_apiServer->setText(backend.value(QStringLiteral("apiServer")).toString());
    m_namespace->setText(backend.value(QStringLiteral("namespaceName")).toString());
    m_tlsSecret->setText(backend.value(QStringLiteral("probeTlsSecretName")).toString());
    m_plaintext->setChecked(secretHolder.value(QStringLiteral("insecurePlaintext")).toBool());
    m_tokenName->setText(secretHolder.value(QStringLiteral("tokenSecret")).toString());
    m_tokenName->setModified(!m_tokenName->text().isEmpty());
    m_maxRunners->setValue(region.pool.max);
    m_concurrency->setValue(region.pool.maxConcurrency);
    const int kind = std::max(0, int(backendTypes.indexOf(region.backendType)));
    m_kind->setCurrentIndex(kind);
    showKind(kind);
    if (m_tokenName->text().isEmpty())
        m_tokenName->setText(defaultTokenName());
}

void RegionForm::showKind(int kind)
{
    m_pages->setCurrentIndex(kind);
    m_cloudBox->setVisible(kind == Fly || kind == Kubernetes);
    m_tokenRow->setEnabled(kind != Local);
    m_plaintext->setEnabled(kind == OwnProbe || kind == Kubernetes);
}

void RegionForm::onPlaceChosen(int index)
{
    const std::optional<RegionCatalog::Region> city = m_catalog.find(m_place->itemData(index).toString());
    if (!city)
        return;
    m_latitude->setValue(city->latitude);
    m_longitude->setValue(city->longitude);
    if (m_name->text().isEmpty())
        m_name->setText(city->city);
    if (m_code->text().isEmpty()) {
        m_code->setText(city->code);
        if (!m_tokenName->isModified())
            m_tokenName->setText(defaultTokenName());
    }
}

QString RegionForm::defaultTokenName() const
{
    static const QStringList prefixes { QString(), QStringLiteral("probe"), QStringLiteral("fly"),
        QStringLiteral("k8s") };
    const int kind = m_kind ? m_kind->currentIndex() : Local;
    if (kind == Local)
        return {};
    const QString code = m_code->text().trimmed();
    return code.isEmpty() ? prefixes.at(kind) : prefixes.at(kind) + u'-' + code;
}

QJsonObject RegionForm::backendSettings() const
{
    const int kind = m_kind->currentIndex();
    const bool sameKind = m_original.backendType == backendTypes.at(kind);
    QJsonObject backend = sameKind ? m_original.backendSettings : QJsonObject();
    const QString tokenName = m_tokenName->text().trimmed();
    switch (kind) {
    case Local:
        break;
    case OwnProbe: {
        QJsonArray probes = backend.value(QStringLiteral("probes")).toArray();
        QJsonObject probe = probes.isEmpty() ? QJsonObject() : probes.at(0).toObject();
        setOrRemove(probe, QStringLiteral("url"), m_url->text());
        setOrRemove(probe, QStringLiteral("tokenSecret"), tokenName);
        setOrRemove(probe, QStringLiteral("pinnedCertificateSha256"), m_pin->text());
        setFlag(probe, QStringLiteral("insecurePlaintext"), m_plaintext->isChecked());
        if (probes.isEmpty())
            probes.append(probe);
        else
            probes.replace(0, probe);
        backend.insert(QStringLiteral("probes"), probes);
        break;
    }
    case Fly:
    case Kubernetes:
        if (kind == Fly) {
            setOrRemove(backend, QStringLiteral("app"), m_app->text());
        } else {
            setOrRemove(backend, QStringLiteral("apiServer"), m_apiServer->text());
            setOrRemove(backend, QStringLiteral("namespaceName"), m_namespace->text());
            setOrRemove(backend, QStringLiteral("probeTlsSecretName"), m_tlsSecret->text());
            setFlag(backend, QStringLiteral("insecurePlaintext"), m_plaintext->isChecked());
        }
        setOrRemove(backend, QStringLiteral("region"), m_cloudRegion->text());
        setOrRemove(backend, QStringLiteral("image"), m_image->text());
        setOrRemove(backend, QStringLiteral("tokenSecret"), tokenName);
        break;
    }
    return backend;
}

RegionConfig RegionForm::region() const
{
    RegionConfig region = m_original;
    region.code = m_code->text().trimmed();
    region.name = m_name->text().trimmed().isEmpty() ? region.code : m_name->text().trimmed();
    region.latitude = m_latitude->value();
    region.longitude = m_longitude->value();
    region.backendType = backendTypes.at(m_kind->currentIndex());
    region.backendSettings = backendSettings();
    region.pool.max = m_maxRunners->value();
    region.pool.min = std::min(region.pool.min, region.pool.max);
    region.pool.maxConcurrency = m_concurrency->value();
    return region;
}

QHash<QString, QString> RegionForm::typedTokens() const
{
    QHash<QString, QString> tokens;
    if (m_kind->currentIndex() != Local && !m_token->text().isEmpty())
        tokens.insert(m_tokenName->text().trimmed(), m_token->text());
    return tokens;
}

void RegionForm::validate()
{
    const RegionConfig candidate = region();
    FleetConfig fleet;
    fleet.regions = m_others;
    fleet.regions.append(candidate);
    QString error;
    // The file's own checks (codes, ranges, clashes, no inline secret), then the backend's, as building the
    // fleet does them.
    if (FleetConfig::fromJson(fleet.toJson(), &error)) {
        FleetConfig alone;
        alone.regions = { candidate };
        if (ConfiguredFleet::create(alone, m_secrets, &error))
            error.clear();
    }
    if (error.isEmpty() && !m_token->text().isEmpty() && !m_secrets)
        error = tr("No keychain is available: the token cannot be saved.");
    m_problem = withoutRegionPath(error);
    if (m_problem.isEmpty()) {
        const bool needsToken = m_kind->currentIndex() != Local && m_token->text().isEmpty();
        m_status->setStatus(needsToken
                ? tr("Valid. No token typed: the keychain must already hold \"%1\".").arg(m_tokenName->text().trimmed())
                : tr("Valid."),
            needsToken ? Tone::Warning : Tone::Ok);
    } else {
        m_status->setStatus(m_problem, Tone::Error);
    }
    m_ok->setEnabled(m_problem.isEmpty() && !m_saving);
    m_test->setEnabled(m_problem.isEmpty() && !m_connectionTest.isRunning());
}

void RegionForm::testConnection()
{
    validate();
    if (!m_problem.isEmpty() || m_connectionTest.isRunning())
        return;
    m_test->setEnabled(false);
    m_connectionTest.start(region(), typedTokens());
}

void RegionForm::accept()
{
    validate();
    if (!m_problem.isEmpty() || m_saving)
        return;
    const QHash<QString, QString> tokens = typedTokens();
    if (tokens.isEmpty()) {
        QDialog::accept();
        return;
    }
    m_saving = true;
    m_ok->setEnabled(false);
    m_status->setStatus(tr("Saving the token to the keychain…"), Tone::Busy);
    const QString name = tokens.constBegin().key();
    m_secrets->write(name, tokens.constBegin().value(), this, [this, name](const QString &error) {
        m_saving = false;
        if (!error.isEmpty()) {
            m_status->setStatus(tr("The token was not saved, so the region is not either: %1").arg(error), Tone::Error);
            m_ok->setEnabled(true);
            return;
        }
        m_token->clear(); // the keychain has it; the form need not hold it any longer
        QDialog::accept();
    });
}
