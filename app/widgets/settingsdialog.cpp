#include "settingsdialog.h"

#include "appsettings.h"
#include "fleet/secretstore.h"
#include "fleeteditor.h"
#include "statuslabel.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTextBlock>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

using Tone = Theme::Tone;

// Every string under a key ending in "Secret", at any depth, with the path of its field.
void collectSecrets(
    const QJsonValue &value, const QString &path, QMap<QString, QStringList> &uses, const QString &region)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString field = path.isEmpty() ? it.key() : path + u'.' + it.key();
            if (it.key().endsWith(u"Secret") && it.value().isString()) {
                const QString name = it.value().toString();
                if (!name.isEmpty())
                    uses[name].append(QStringLiteral("%1: %2").arg(region, field));
                continue;
            }
            collectSecrets(it.value(), field, uses, region);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            collectSecrets(array.at(i), QStringLiteral("%1[%2]").arg(path).arg(i), uses, region);
    }
}

QString configText(const FleetConfig &config)
{
    return QString::fromUtf8(QJsonDocument(config.toJson()).toJson(QJsonDocument::Indented));
}

} // namespace

SettingsDialog::SettingsDialog(
    const FleetConfig &config, const QString &configPath, SecretStore *secrets, QWidget *parent)
    : QDialog(parent)
    , m_initialConfig(config)
    , m_config(config)
    , m_configPath(configPath)
    , m_secrets(secrets)
{
    setWindowTitle(tr("Settings"));
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(makeFleetTab(), tr("&Fleet"));
    m_tabs->addTab(makeTokensTab(), tr("&Tokens"));
    m_tabs->addTab(makeLocalTab(), tr("&Local probes"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_okButton = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);

    setConfig(config, true);
    onChromePathEdited();
    resize(760, 560);
}

SettingsDialog::~SettingsDialog() = default;

// Fleet ----------------------------------------------------------------------------------------------------------

QWidget *SettingsDialog::makeFleetTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);

    auto *pathRow = new QHBoxLayout;
    m_pathLabel = new QLabel(tab);
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pathLabel->setWordWrap(true);
    auto *choose = new QPushButton(tr("&Choose file…"), tab);
    choose->setToolTip(tr("Use the fleet config in another file; it is saved to the path above when you press OK."));
    connect(choose, &QPushButton::clicked, this, &SettingsDialog::chooseConfigFile);
    pathRow->addWidget(m_pathLabel, 1);
    pathRow->addWidget(choose);
    layout->addLayout(pathRow);

    // The regions in forms; the JSON below is the same config for experts, kept in step both ways.
    m_fleetEditor = new FleetEditor(m_secrets, tab);
    connect(m_fleetEditor, &FleetEditor::configEdited, this,
        [this](const FleetConfig &config) { setConfig(config, true); });
    layout->addWidget(m_fleetEditor, 1);

    auto *editRow = new QHBoxLayout;
    m_editButton = new QPushButton(tr("Edit as &JSON…"), tab);
    m_editButton->setToolTip(tr("Edit the fleet config as JSON (see FLEETCONFIG.md)"));
    connect(m_editButton, &QPushButton::clicked, this, &SettingsDialog::showEditor);
    editRow->addWidget(m_editButton);
    editRow->addStretch(1);
    layout->addLayout(editRow);

    m_editor = new QPlainTextEdit(tab);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setTabChangesFocus(false);
    m_editor->setVisible(false);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &SettingsDialog::onJsonEdited);
    layout->addWidget(m_editor, 2);

    m_configStatus = new StatusLabel(tab);
    m_configStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_configStatus);
    return tab;
}

void SettingsDialog::showEditor()
{
    m_editor->setVisible(true);
    m_editButton->setEnabled(false);
    m_editor->setFocus();
}

void SettingsDialog::onJsonEdited()
{
    if (m_settingText)
        return;
    QString error;
    const std::optional<FleetConfig> parsed = FleetConfig::fromJson(m_editor->toPlainText().toUtf8(), &error);
    QList<QTextEdit::ExtraSelection> marks;
    if (parsed) {
        m_configError.clear();
        setConfig(*parsed, false);
    } else {
        m_configError = error;
        m_configStatus->setStatus(error, Tone::Error);
        // A syntax error knows its line: mark it.
        static const QRegularExpression where(QStringLiteral("at line (\\d+), column (\\d+)"));
        const QRegularExpressionMatch match = where.match(error);
        if (match.hasMatch()) {
            const QTextBlock block = m_editor->document()->findBlockByNumber(match.captured(1).toInt() - 1);
            if (block.isValid()) {
                QTextEdit::ExtraSelection mark;
                mark.cursor = QTextCursor(block);
                mark.format.setProperty(QTextFormat::FullWidthSelection, true);
                QColor background = Theme(palette()).error();
                background.setAlpha(60);
                mark.format.setBackground(background);
                marks.append(mark);
            }
        }
    }
    m_editor->setExtraSelections(marks);
    updateOk();
}

void SettingsDialog::setConfig(const FleetConfig &config, bool updateEditor)
{
    m_config = config;
    m_configError.clear();
    if (updateEditor) {
        m_settingText = true;
        m_editor->setPlainText(configText(config));
        m_editor->setExtraSelections({});
        m_settingText = false;
    }
    QString where = tr("Saved to: %1").arg(QDir::toNativeSeparators(m_configPath));
    if (!m_loadedFrom.isEmpty())
        where = tr("Taken from %1; saved to %2 when you press OK.")
                    .arg(QDir::toNativeSeparators(m_loadedFrom), QDir::toNativeSeparators(m_configPath));
    m_pathLabel->setText(where);
    m_configStatus->setStatus(
        (config.regions.size() == 1 ? tr("Valid: 1 region.") : tr("Valid: %1 regions.").arg(config.regions.size()))
            + (config != m_initialConfig ? QStringLiteral(" ") + tr("Changed; saved when you press OK.") : QString()),
        Tone::Ok);
    m_fleetEditor->setConfig(config);
    rebuildTokenRows();
    updateOk();
}

bool SettingsDialog::loadConfigFile(const QString &path)
{
    QString error;
    const std::optional<FleetConfig> loaded = FleetConfig::load(path, &error);
    if (!loaded) {
        m_configStatus->setStatus(error, Tone::Error);
        return false;
    }
    m_loadedFrom = path;
    setConfig(*loaded, true);
    return true;
}

void SettingsDialog::chooseConfigFile()
{
    const QString start = m_loadedFrom.isEmpty() ? QFileInfo(m_configPath).absolutePath() : m_loadedFrom;
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Fleet config"), start, tr("Fleet config (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadConfigFile(path);
}

// Tokens ---------------------------------------------------------------------------------------------------------

QList<SettingsDialog::SecretUse> SettingsDialog::secretUses(const FleetConfig &config)
{
    QMap<QString, QStringList> uses; // sorted by name
    for (const RegionConfig &region : config.regions)
        collectSecrets(region.backendSettings, QStringLiteral("backend"), uses, region.code);
    QList<SecretUse> result;
    for (auto it = uses.cbegin(); it != uses.cend(); ++it)
        result.append(SecretUse { it.key(), it.value() });
    return result;
}

QWidget *SettingsDialog::makeTokensTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    auto *intro
        = new QLabel(tr("Tokens are kept in the system keychain, never in the fleet config or the app's settings. "
                        "The config names each one by its key; type a token and save it to the keychain."),
            tab);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *scroll = new QScrollArea(tab);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_tokensBox = new QWidget;
    auto *boxLayout = new QVBoxLayout(m_tokensBox);
    boxLayout->setContentsMargins(0, 0, 0, 0);
    m_tokensGrid = new QGridLayout;
    m_tokensGrid->setColumnStretch(1, 1);
    // Room for "probeTokenSecret in syd, nrt" under the name without wrapping it word by word.
    m_tokensGrid->setColumnMinimumWidth(
        0, tab->fontMetrics().horizontalAdvance(QStringLiteral("probeTokenSecret in syd, nrt, fra")));
    boxLayout->addLayout(m_tokensGrid);
    m_noTokens = new QLabel(tr("The fleet config names no tokens."), m_tokensBox);
    boxLayout->addWidget(m_noTokens);
    boxLayout->addStretch(1);
    scroll->setWidget(m_tokensBox);
    layout->addWidget(scroll, 1);
    return tab;
}

QStringList SettingsDialog::tokenNames() const
{
    QStringList names;
    for (const auto &row : m_tokenRows)
        names.append(row->name);
    return names;
}

SettingsDialog::TokenRow *SettingsDialog::tokenRow(const QString &name) const
{
    for (const auto &row : m_tokenRows) {
        if (row->name == name)
            return row.get();
    }
    return nullptr;
}

QLineEdit *SettingsDialog::tokenEdit(const QString &secret) const
{
    const TokenRow *row = tokenRow(secret);
    return row ? row->edit : nullptr;
}

QPushButton *SettingsDialog::tokenSaveButton(const QString &secret) const
{
    const TokenRow *row = tokenRow(secret);
    return row ? row->save : nullptr;
}

QLabel *SettingsDialog::tokenStatusLabel(const QString &secret) const
{
    const TokenRow *row = tokenRow(secret);
    return row ? row->status : nullptr;
}

void SettingsDialog::rebuildTokenRows()
{
    const QList<SecretUse> uses = secretUses(m_config);
    QStringList names;
    for (const SecretUse &use : uses)
        names.append(use.name);
    if (names == tokenNames()) {
        for (const SecretUse &use : uses)
            tokenRow(use.name)->usage->setText(usageText(use));
        return;
    }

    // Keep what was typed (and the keychain's answer) for names that stay.
    QHash<QString, std::pair<QString, QString>> kept;
    for (const auto &row : m_tokenRows)
        kept.insert(row->name, { row->edit->text(), row->status->text() });
    for (const auto &row : m_tokenRows) {
        delete row->nameLabel;
        delete row->usage;
        delete row->edit;
        delete row->save;
        delete row->status; // drops the answers still on their way to it
    }
    m_tokenRows.clear();

    for (const SecretUse &use : uses) {
        TokenRow &row = addTokenRow(use);
        if (const auto it = kept.constFind(use.name); it != kept.cend()) {
            row.edit->setText(it->first);
            row.status->setText(it->second);
        } else {
            showKeychainState(row);
        }
    }
    m_noTokens->setVisible(m_tokenRows.empty());
}

SettingsDialog::TokenRow &SettingsDialog::addTokenRow(const SecretUse &use)
{
    auto row = std::make_unique<TokenRow>();
    row->name = use.name;
    row->nameLabel = new QLabel(m_tokensBox);
    row->nameLabel->setText(use.name);
    QFont bold = row->nameLabel->font();
    bold.setBold(true);
    row->nameLabel->setFont(bold);
    row->usage = new QLabel(usageText(use), m_tokensBox);
    row->usage->setWordWrap(true);
    row->usage->setForegroundRole(QPalette::PlaceholderText);
    row->edit = new QLineEdit(m_tokensBox);
    row->edit->setEchoMode(QLineEdit::Password);
    row->edit->setPlaceholderText(tr("token for %1").arg(use.name));
    row->edit->setClearButtonEnabled(true);
    row->edit->setAccessibleName(tr("Token %1").arg(use.name));
    row->nameLabel->setBuddy(row->edit);
    row->save = new QPushButton(tr("Save to keychain"), m_tokensBox);
    row->save->setEnabled(false);
    row->status = new StatusLabel(m_tokensBox);

    const QString name = use.name;
    connect(row->edit, &QLineEdit::textChanged, this, [this, name](const QString &text) {
        if (TokenRow *r = tokenRow(name))
            r->save->setEnabled(!text.isEmpty() && !r->writing && m_secrets);
    });
    connect(row->edit, &QLineEdit::returnPressed, this, [this, name] { saveToken(name); });
    connect(row->save, &QPushButton::clicked, this, [this, name] { saveToken(name); });

    // Two grid lines a token: name, field and button; under them its uses and its status.
    const int line = 2 * static_cast<int>(m_tokenRows.size());
    m_tokensGrid->addWidget(row->nameLabel, line, 0);
    m_tokensGrid->addWidget(row->edit, line, 1);
    m_tokensGrid->addWidget(row->save, line, 2);
    m_tokensGrid->addWidget(row->usage, line + 1, 0, 1, 1);
    m_tokensGrid->addWidget(row->status, line + 1, 1, 1, 2);
    m_tokenRows.push_back(std::move(row));
    return *m_tokenRows.back();
}

void SettingsDialog::showKeychainState(TokenRow &row)
{
    if (!m_secrets) {
        row.status->setStatus(tr("No keychain is available: tokens cannot be saved."), Tone::Error);
        return;
    }
    // Whether it is there already; the value itself is dropped at once.
    row.status->setStatus(tr("Checking the keychain…"), Tone::Ok);
    m_secrets->read(row.name, row.status, [this, name = row.name](const SecretStore::Result &result) {
        TokenRow *r = tokenRow(name);
        if (!r || r->writing || r->written)
            return;
        if (!result.error.isEmpty())
            r->status->setStatus(tr("The keychain could not be read: %1").arg(result.error), Tone::Error);
        else if (result.value)
            r->status->setStatus(tr("stored in the system keychain"), Tone::Ok);
        else
            r->status->setStatus(tr("not in the keychain yet"), Tone::Warning);
    });
}

void SettingsDialog::saveToken(const QString &name)
{
    TokenRow *row = tokenRow(name);
    if (!row || row->writing || !m_secrets || row->edit->text().isEmpty())
        return;
    row->writing = true;
    row->save->setEnabled(false);
    row->status->setStatus(tr("Saving…"), Tone::Ok);
    m_secrets->write(name, row->edit->text(), row->status, [this, name](const QString &error) {
        TokenRow *r = tokenRow(name);
        if (!r)
            return;
        r->writing = false;
        r->written = true;
        if (error.isEmpty()) {
            r->edit->clear(); // the keychain has it; the dialog need not hold it any longer
            r->status->setStatus(tr("stored in the system keychain"), Tone::Ok);
        } else {
            r->status->setStatus(tr("Not saved: %1").arg(error), Tone::Error);
        }
        r->save->setEnabled(!r->edit->text().isEmpty());
    });
}

QString SettingsDialog::usageText(const SecretUse &use)
{
    // "syd: backend.tokenSecret" → grouped by field, without the "backend." every one of them has.
    QMap<QString, QStringList> regionsByField;
    QStringList order;
    for (const QString &entry : use.fields) {
        const qsizetype colon = entry.indexOf(u':');
        const QString region = entry.left(colon);
        QString field = entry.mid(colon + 2);
        if (field.startsWith(u"backend."))
            field = field.mid(8);
        if (!regionsByField.contains(field))
            order.append(field);
        regionsByField[field].append(region);
    }
    QStringList parts;
    for (const QString &field : std::as_const(order))
        parts.append(tr("%1 in %2").arg(field, regionsByField.value(field).join(QStringLiteral(", "))));
    return parts.join(QStringLiteral("; "));
}

// Local probes ---------------------------------------------------------------------------------------------------

QWidget *SettingsDialog::makeLocalTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    auto *form = new QFormLayout;
    auto *row = new QHBoxLayout;
    m_chromePath = new QLineEdit(tab);
    m_chromePath->setPlaceholderText(tr("found automatically"));
    m_chromePath->setText(AppSettings().chromePath.value());
    m_chromePath->setClearButtonEnabled(true);
    auto *browse = new QPushButton(tr("&Browse…"), tab);
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::browseChrome);
    connect(m_chromePath, &QLineEdit::textChanged, this, &SettingsDialog::onChromePathEdited);
    row->addWidget(m_chromePath, 1);
    row->addWidget(browse);
    auto *label = new QLabel(tr("&Chrome or Chromium:"), tab);
    label->setBuddy(m_chromePath);
    form->addRow(label, row);
    m_chromeStatus = new StatusLabel(tab);
    form->addRow(QString(), m_chromeStatus);
    layout->addLayout(form);
    auto *note = new QLabel(tr("The browser the probes on this computer start (regions with the \"local\" backend). "
                               "Leave it empty to let the probe look for Chrome or Chromium itself."),
        tab);
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addStretch(1);
    return tab;
}

QString SettingsDialog::chromePath() const
{
    return m_chromePath->text().trimmed();
}

QString SettingsDialog::chromePathProblem(const QString &path)
{
    if (path.isEmpty())
        return {};
    const QFileInfo info(path);
    if (!info.exists())
        return tr("There is no file %1.").arg(QDir::toNativeSeparators(path));
    if (info.isDir())
        return tr("%1 is a folder; choose the browser's program file.").arg(QDir::toNativeSeparators(path));
    if (!info.isExecutable())
        return tr("%1 is not executable.").arg(QDir::toNativeSeparators(path));
    return {};
}

void SettingsDialog::onChromePathEdited()
{
    const QString path = chromePath();
    const QString problem = chromePathProblem(path);
    if (!problem.isEmpty())
        m_chromeStatus->setStatus(problem, Tone::Error);
    else if (path.isEmpty())
        m_chromeStatus->setStatus(QString(), Tone::Ok); // the note below says what happens
    else
        m_chromeStatus->setStatus(tr("An executable file."), Tone::Ok);
    updateOk();
}

void SettingsDialog::browseChrome()
{
    const QString start = chromePath().isEmpty() ? QStringLiteral("/usr/bin") : QFileInfo(chromePath()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Chrome or Chromium"), start);
    if (!path.isEmpty())
        m_chromePath->setText(path);
}

// The dialog -----------------------------------------------------------------------------------------------------

void SettingsDialog::updateOk()
{
    if (!m_okButton)
        return;
    m_okButton->setEnabled(isConfigValid() && chromePathProblem(chromePath()).isEmpty());
}

void SettingsDialog::accept()
{
    if (!isConfigValid() || !chromePathProblem(chromePath()).isEmpty())
        return;
    if (fleetConfigChanged()) {
        QString error;
        if (!m_config.save(m_configPath, &error)) {
            m_tabs->setCurrentIndex(0);
            m_configStatus->setStatus(tr("Not saved: %1").arg(error), Tone::Error);
            return;
        }
    }
    AppSettings settings;
    if (chromePath().isEmpty())
        settings.chromePath.remove();
    else
        settings.chromePath.setValue(chromePath());
    QDialog::accept();
}

void SettingsDialog::addRegionWhenShown()
{
    m_tabs->setCurrentIndex(0);
    QTimer::singleShot(0, m_fleetEditor, &FleetEditor::addRegion);
}

QTreeWidget *SettingsDialog::regionList() const
{
    return m_fleetEditor->list();
}
