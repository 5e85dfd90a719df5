#include "testsettingspanel.h"

#include "appsettings.h"
#include "fleet/secretstore.h"
#include "model/jsonreader.h"
#include "model/loadoptionsparser.h"
#include "scripteditor.h"
#include "statuslabel.h"
#include "testsecrets.h"

#include <QCommandLineParser>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

enum HeaderColumn { HeaderName, HeaderValue, HeaderHost, HeaderPublic };
enum CookieColumn { CookieName, CookieValue, CookieDomain };

// A value that is only ${secret:NAME} references (and spaces) holds no secret itself.
bool onlyReferences(const QString &value)
{
    QString rest = value;
    for (const QString &name : TestSettings::secretReferences(value))
        rest.remove(TestSettings::secretReference(name));
    return !value.isEmpty() && rest.trimmed().isEmpty();
}

// Secret values are drawn as ••• and typed in a password field, so that a look over the shoulder or a screenshot
// does not carry them; `isPublic` says which rows show theirs.
class SecretValueDelegate final : public QStyledItemDelegate
{
public:
    using IsPublic = std::function<bool(int row)>;
    SecretValueDelegate(IsPublic isPublic, QObject *parent)
        : QStyledItemDelegate(parent)
        , m_isPublic(std::move(isPublic))
    { }

    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const QString value = index.data().toString();
        if (!value.isEmpty() && !m_isPublic(index.row()) && !onlyReferences(value))
            option->text = TestSettings::mask();
    }

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto *line = qobject_cast<QLineEdit *>(editor); line && !m_isPublic(index.row()))
            line->setEchoMode(QLineEdit::PasswordEchoOnEdit);
        return editor;
    }

private:
    IsPublic m_isPublic;
};

QTableWidget *makeTable(const QStringList &columns, QWidget *parent)
{
    auto *table = new QTableWidget(0, static_cast<int>(columns.size()), parent);
    table->setHorizontalHeaderLabels(columns);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Tab leaves the table for its buttons; the arrows move inside it.
    table->setTabKeyNavigation(false);
    table->setMinimumHeight(110);
    return table;
}

QString cell(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

// A row of Add and Remove under a table; Add starts editing the new row's first cell.
QHBoxLayout *tableButtons(QTableWidget *table, const QString &addText, QWidget *parent, std::function<void()> add)
{
    auto *row = new QHBoxLayout;
    auto *addButton = new QPushButton(addText, parent);
    auto *remove = new QPushButton(QObject::tr("Remove"), parent);
    QObject::connect(addButton, &QPushButton::clicked, table, [table, add] {
        add();
        table->setFocus();
        table->setCurrentCell(table->rowCount() - 1, 0);
        table->editItem(table->item(table->rowCount() - 1, 0));
    });
    QObject::connect(remove, &QPushButton::clicked, table, [table] {
        QList<int> rows;
        for (const QModelIndex &index : table->selectionModel()->selectedRows())
            rows.append(index.row());
        std::sort(rows.rbegin(), rows.rend());
        for (const int r : rows)
            table->removeRow(r);
    });
    row->addWidget(addButton);
    row->addWidget(remove);
    row->addStretch();
    return row;
}

StatusLabel *errorLabel(QWidget *parent)
{
    auto *label = new StatusLabel(parent);
    label->setWordWrap(true);
    label->setVisible(false);
    return label;
}

// A secret value that was masked (the history, the remembered settings) cannot be sent: it would be •••.
QString maskedValueError(const QString &what, const QString &name)
{
    return QObject::tr("the value of %1 %2 is a secret that was not kept: type it again, or write ${secret:NAME} to "
                       "take it from the keychain")
        .arg(what, name);
}

// The one parser of the command line's test options checks what they and the panel share (hosts, patterns, the
// user agent), so the two say the same about the same text. Its message starts with the option ("--block: …").
QString parseOptions(const QStringList &arguments, TestSettings &settings)
{
    const LoadOptionsParser options(QStringLiteral("Runs"));
    QCommandLineParser parser;
    options.addOptions(parser);
    if (!parser.parse(QStringList { QStringLiteral("panel") } + arguments))
        return parser.errorText();
    QString error;
    const auto values = options.read(parser, &error);
    if (!values)
        return error;
    settings.userAgent = values->options.test.userAgent;
    settings.block = values->options.test.block;
    settings.blockDomains = values->options.test.blockDomains;
    settings.blockDomainsExcept = values->options.test.blockDomainsExcept;
    return QString();
}

} // namespace

TestSettingsPanel::TestSettingsPanel(SecretStore *secrets, QWidget *parent)
    : QDialog(parent)
    , m_secrets(secrets)
{
    setWindowTitle(tr("Test settings"));
    setObjectName(QStringLiteral("testSettingsPanel"));
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildRequestsTab(), tr("&Headers and cookies"));
    m_tabs->addTab(buildAuthTab(), tr("&User agent and login"));
    m_tabs->addTab(buildBlockingTab(), tr("&Blocking"));
    m_tabs->addTab(buildScriptTab(), tr("&Script"));
    layout->addWidget(m_tabs, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Reset, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &TestSettingsPanel::accept);
    connect(buttons->button(QDialogButtonBox::Reset), &QPushButton::clicked, this,
        [this] { setSettings(TestSettings {}); });
    buttons->button(QDialogButtonBox::Reset)->setText(tr("Clear all"));
    layout->addWidget(buttons);
    resize(720, 520);
}

QWidget *TestSettingsPanel::buildRequestsTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *headersBox = new QGroupBox(tr("Request headers"), page);
    auto *headersLayout = new QVBoxLayout(headersBox);
    m_headers = makeTable({ tr("Name"), tr("Value"), tr("Only for host"), tr("Public") }, headersBox);
    m_headers->setObjectName(QStringLiteral("headers"));
    m_headers->setItemDelegateForColumn(HeaderValue,
        new SecretValueDelegate(
            [this](int row) {
                const QTableWidgetItem *tick = m_headers->item(row, HeaderPublic);
                return tick && tick->checkState() == Qt::Checked;
            },
            m_headers));
    m_headers->horizontalHeader()->setSectionResizeMode(HeaderValue, QHeaderView::Stretch);
    m_headers->horizontalHeader()->setStretchLastSection(false);
    headersLayout->addWidget(m_headers);
    headersLayout->addLayout(tableButtons(m_headers, tr("Add &header"), headersBox, [this] { addHeader({}); }));
    auto *headersNote = new QLabel(tr("Values are secrets, shown as ••• in results, unless ticked public. "
                                      "${secret:NAME} takes a value from the keychain."),
        headersBox);
    headersNote->setWordWrap(true);
    headersLayout->addWidget(headersNote);
    m_headersError = errorLabel(headersBox);
    headersLayout->addWidget(m_headersError);
    layout->addWidget(headersBox);

    auto *cookiesBox = new QGroupBox(tr("Cookies"), page);
    auto *cookiesLayout = new QVBoxLayout(cookiesBox);
    m_cookies = makeTable({ tr("Name"), tr("Value"), tr("Domain (empty: the page's host)") }, cookiesBox);
    m_cookies->setObjectName(QStringLiteral("cookies"));
    m_cookies->setItemDelegateForColumn(CookieValue, new SecretValueDelegate([](int) { return false; }, m_cookies));
    m_cookies->horizontalHeader()->setSectionResizeMode(CookieValue, QHeaderView::Stretch);
    m_cookies->horizontalHeader()->setStretchLastSection(false);
    cookiesLayout->addWidget(m_cookies);
    cookiesLayout->addLayout(tableButtons(m_cookies, tr("Add &cookie"), cookiesBox, [this] { addCookie({}); }));
    m_cookiesError = errorLabel(cookiesBox);
    cookiesLayout->addWidget(m_cookiesError);
    layout->addWidget(cookiesBox);
    return page;
}

QWidget *TestSettingsPanel::buildAuthTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    m_userAgent = new QLineEdit(page);
    m_userAgent->setObjectName(QStringLiteral("userAgent"));
    m_userAgent->setPlaceholderText(tr("the device's"));
    form->addRow(tr("User a&gent:"), m_userAgent);
    layout->addLayout(form);

    auto *authBox = new QGroupBox(tr("HTTP basic auth for the page's host"), page);
    auto *authForm = new QFormLayout(authBox);
    m_authUser = new QLineEdit(authBox);
    m_authUser->setObjectName(QStringLiteral("authUser"));
    m_authSecret = new QLineEdit(authBox);
    m_authSecret->setObjectName(QStringLiteral("authSecret"));
    m_authSecret->setPlaceholderText(tr("the name of the keychain secret that holds the password"));
    authForm->addRow(tr("U&ser:"), m_authUser);
    authForm->addRow(tr("&Password secret:"), m_authSecret);
    m_authError = errorLabel(authBox);
    authForm->addRow(m_authError);
    layout->addWidget(authBox);

    // The keychain entry a secret name stands for, saved from here: the value goes to the keychain only.
    auto *keychainBox = new QGroupBox(tr("Save a secret to the keychain"), page);
    auto *keychainLayout = new QVBoxLayout(keychainBox);
    auto *row = new QHBoxLayout;
    m_secretValue = new QLineEdit(keychainBox);
    m_secretValue->setObjectName(QStringLiteral("secretValue"));
    m_secretValue->setEchoMode(QLineEdit::Password);
    m_secretValue->setPlaceholderText(tr("the value of the secret named as the password secret"));
    m_saveSecret = new QPushButton(tr("Save to &keychain"), keychainBox);
    row->addWidget(m_secretValue, 1);
    row->addWidget(m_saveSecret);
    keychainLayout->addLayout(row);
    m_secretStatus = errorLabel(keychainBox);
    keychainLayout->addWidget(m_secretStatus);
    auto *note = new QLabel(tr("Kept in the system keychain under the password secret's name, never in the app's "
                               "settings or the history; worldspeed-cli run reads it from there too."),
        keychainBox);
    note->setWordWrap(true);
    keychainLayout->addWidget(note);
    layout->addWidget(keychainBox);
    layout->addStretch();
    connect(m_saveSecret, &QPushButton::clicked, this, &TestSettingsPanel::saveSecret);
    return page;
}

QWidget *TestSettingsPanel::buildBlockingTab()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_block = new QPlainTextEdit(page);
    m_block->setObjectName(QStringLiteral("block"));
    m_block->setTabChangesFocus(true);
    m_block->setPlaceholderText(tr("one pattern a line: a request whose URL contains it is not made"));
    m_blockDomains = new QLineEdit(page);
    m_blockDomains->setObjectName(QStringLiteral("blockDomains"));
    m_blockDomains->setPlaceholderText(tr("hosts, separated by spaces or commas"));
    m_blockDomainsExcept = new QLineEdit(page);
    m_blockDomainsExcept->setObjectName(QStringLiteral("blockDomainsExcept"));
    m_blockDomainsExcept->setPlaceholderText(tr("when set, every other host is blocked"));
    form->addRow(tr("Block &URLs containing:"), m_block);
    form->addRow(tr("Block &domains:"), m_blockDomains);
    form->addRow(tr("Block all domains &except:"), m_blockDomainsExcept);
    m_blockError = errorLabel(page);
    form->addRow(m_blockError);
    auto *note = new QLabel(tr("Blocked requests are never sent; the waterfall shows them greyed out, marked "
                               "blocked."),
        page);
    note->setWordWrap(true);
    form->addRow(note);
    return page;
}

void TestSettingsPanel::addHeader(const HeaderSetting &header)
{
    const int row = m_headers->rowCount();
    m_headers->insertRow(row);
    m_headers->setItem(row, HeaderName, new QTableWidgetItem(header.name));
    m_headers->setItem(row, HeaderValue, new QTableWidgetItem(header.value));
    m_headers->setItem(row, HeaderHost, new QTableWidgetItem(header.host));
    auto *tick = new QTableWidgetItem;
    tick->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    tick->setCheckState(header.isPublic ? Qt::Checked : Qt::Unchecked);
    m_headers->setItem(row, HeaderPublic, tick);
}

void TestSettingsPanel::addCookie(const CookieSetting &cookie)
{
    const int row = m_cookies->rowCount();
    m_cookies->insertRow(row);
    m_cookies->setItem(row, CookieName, new QTableWidgetItem(cookie.name));
    m_cookies->setItem(row, CookieValue, new QTableWidgetItem(cookie.value));
    m_cookies->setItem(row, CookieDomain, new QTableWidgetItem(cookie.domain));
}

void TestSettingsPanel::setSettings(const TestSettings &settings)
{
    m_headers->setRowCount(0);
    for (const HeaderSetting &header : settings.headers)
        addHeader(header);
    m_cookies->setRowCount(0);
    for (const CookieSetting &cookie : settings.cookies)
        addCookie(cookie);
    m_userAgent->setText(settings.userAgent);
    m_authUser->setText(settings.basicAuth ? settings.basicAuth->user : QString());
    m_authSecret->setText(settings.basicAuth ? settings.basicAuth->passwordSecret : QString());
    m_block->setPlainText(settings.block.join(u'\n'));
    m_blockDomains->setText(settings.blockDomains.join(u' '));
    m_blockDomainsExcept->setText(settings.blockDomainsExcept.join(u' '));
    m_script->setScript(settings.script);
    for (StatusLabel *label : { m_headersError, m_cookiesError, m_authError, m_blockError, m_scriptError })
        label->setVisible(false);
    emit changed();
}

QString TestSettingsPanel::readHeaders(TestSettings &settings) const
{
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const QString name = cell(m_headers, row, HeaderName);
        const QString value = cell(m_headers, row, HeaderValue);
        const QString host = cell(m_headers, row, HeaderHost);
        if (name.isEmpty() && value.isEmpty() && host.isEmpty())
            continue; // a row added and left empty
        const bool isPublic = m_headers->item(row, HeaderPublic)->checkState() == Qt::Checked;
        if (!isPublic && value == TestSettings::mask())
            return maskedValueError(tr("header"), name);
        QString error;
        auto header = HeaderSetting::parse(
            (host.isEmpty() ? QString() : u'[' + host + QStringLiteral("] ")) + name + QStringLiteral(": ") + value,
            &error);
        if (!header)
            return tr("Row %1: %2").arg(row + 1).arg(error);
        header->isPublic = isPublic;
        settings.headers.append(*header);
    }
    if (settings.headers.size() > TestSettings::maxItems)
        return tr("at most %1 headers").arg(TestSettings::maxItems);
    return QString();
}

QString TestSettingsPanel::readCookies(TestSettings &settings) const
{
    for (int row = 0; row < m_cookies->rowCount(); ++row) {
        const QString name = cell(m_cookies, row, CookieName);
        const QString value = cell(m_cookies, row, CookieValue);
        const QString domain = cell(m_cookies, row, CookieDomain);
        if (name.isEmpty() && value.isEmpty() && domain.isEmpty())
            continue;
        if (value == TestSettings::mask())
            return maskedValueError(tr("cookie"), name);
        QString error;
        const auto cookie = CookieSetting::parse(
            name + u'=' + value + (domain.isEmpty() ? QString() : QStringLiteral("; domain=") + domain), &error);
        if (!cookie)
            return tr("Row %1: %2").arg(row + 1).arg(error);
        settings.cookies.append(*cookie);
    }
    if (settings.cookies.size() > TestSettings::maxItems)
        return tr("at most %1 cookies").arg(TestSettings::maxItems);
    return QString();
}

QString TestSettingsPanel::readAuth(TestSettings &settings) const
{
    const QString user = m_authUser->text();
    const QString secret = m_authSecret->text().trimmed();
    if (user.isEmpty() && secret.isEmpty())
        return QString();
    if (user.isEmpty())
        return tr("give the user as well as the password's secret");
    QString error;
    settings.basicAuth = BasicAuthSetting::parse(user + u':' + secret, &error);
    return error;
}

QString TestSettingsPanel::readBlocking(TestSettings &settings) const
{
    QStringList arguments;
    const QString agent = m_userAgent->text();
    if (!agent.isEmpty())
        arguments << QStringLiteral("--user-agent") << agent;
    for (const QString &line : m_block->toPlainText().split(u'\n')) {
        if (!line.trimmed().isEmpty())
            arguments << QStringLiteral("--block") << line.trimmed();
    }
    if (!m_blockDomains->text().trimmed().isEmpty())
        arguments << QStringLiteral("--block-domains") << m_blockDomains->text();
    if (!m_blockDomainsExcept->text().trimmed().isEmpty())
        arguments << QStringLiteral("--block-domains-except") << m_blockDomainsExcept->text();
    return parseOptions(arguments, settings);
}

void TestSettingsPanel::showError(StatusLabel *label, const QString &error)
{
    label->setVisible(!error.isEmpty());
    if (error.isEmpty())
        return;
    label->setStatus(error, Theme::Tone::Error);
    if (m_firstError.isEmpty())
        m_firstError = error;
}

std::optional<TestSettings> TestSettingsPanel::settings()
{
    m_firstError.clear();
    TestSettings settings;
    showError(m_headersError, readHeaders(settings));
    showError(m_cookiesError, readCookies(settings));
    const QString blocking = readBlocking(settings);
    // The user agent is on the login tab, the patterns and hosts on the blocking tab; the parser names the option.
    const bool agentWrong = blocking.startsWith(QStringLiteral("--user-agent"));
    const QString auth = readAuth(settings);
    showError(m_authError, agentWrong ? blocking : auth);
    showError(m_blockError, agentWrong ? QString() : blocking);
    if (!m_script->script().trimmed().isEmpty()) {
        showError(m_scriptError, m_script->isValid() ? QString() : tr("Script: %1").arg(m_script->error()));
        settings.script = m_script->script();
    } else {
        showError(m_scriptError, QString());
    }
    if (!m_firstError.isEmpty())
        return std::nullopt;
    return settings;
}

QString TestSettingsPanel::buttonText() const
{
    TestSettings made;
    // Counted from the fields as they are, so that a wrong one counts too and the button never hides it.
    int count = 0;
    for (int row = 0; row < m_headers->rowCount(); ++row)
        count += !cell(m_headers, row, HeaderName).isEmpty();
    for (int row = 0; row < m_cookies->rowCount(); ++row)
        count += !cell(m_cookies, row, CookieName).isEmpty();
    count += !m_userAgent->text().isEmpty();
    count += !m_authUser->text().isEmpty() || !m_authSecret->text().isEmpty();
    count += !m_block->toPlainText().trimmed().isEmpty();
    count += !m_blockDomains->text().trimmed().isEmpty();
    count += !m_blockDomainsExcept->text().trimmed().isEmpty();
    count += !m_script->script().trimmed().isEmpty();
    return count == 0 ? tr("Test settings…") : tr("Test settings (%1)…").arg(count);
}

void TestSettingsPanel::accept()
{
    if (!settings()) {
        // The first tab with a problem, so the user sees it.
        const bool onFirstTab = m_headersError->isVisible() || m_cookiesError->isVisible();
        m_tabs->setCurrentIndex(onFirstTab ? 0 : m_authError->isVisible() ? 1 : m_blockError->isVisible() ? 2 : 3);
        return;
    }
    emit changed();
    QDialog::accept();
}

QPushButton *TestSettingsPanel::makeButton(QWidget *parent)
{
    auto *button = new QPushButton(buttonText(), parent);
    button->setObjectName(QStringLiteral("testSettingsButton"));
    button->setToolTip(tr("Headers, cookies, user agent, basic auth and blocking for the next test"));
    connect(button, &QPushButton::clicked, this, &QDialog::open);
    connect(this, &TestSettingsPanel::changed, button, [this, button] { button->setText(buttonText()); });
    return button;
}

void TestSettingsPanel::withSecrets(const TestSettings &settings, QWidget *go,
    std::function<void(const TestSettings &settings, const QString &error)> done)
{
    if (settings.secretNames().isEmpty()) {
        done(settings, QString());
        return;
    }
    go->setEnabled(false);
    TestSecrets::resolve(
        settings, m_secrets, go, [go, done = std::move(done)](const TestSettings &resolved, const QString &error) {
            go->setEnabled(true);
            done(resolved, error);
        });
}

void TestSettingsPanel::saveSecret()
{
    const QString name = m_authSecret->text().trimmed();
    if (TestSettings::secretReferences(TestSettings::secretReference(name)) != QStringList { name }) {
        m_secretStatus->setStatus(tr("Name the secret first, in the password secret field (1-64 of A-Z, a-z, "
                                     "0-9, '.', '_', '-')."),
            Theme::Tone::Error);
        m_secretStatus->setVisible(true);
        return;
    }
    if (!m_secrets) {
        m_secretStatus->setStatus(tr("No keychain is available: secrets cannot be saved."), Theme::Tone::Error);
        m_secretStatus->setVisible(true);
        return;
    }
    m_secretStatus->setStatus(tr("Saving to the keychain…"), Theme::Tone::Ok);
    m_secretStatus->setVisible(true);
    m_secrets->write(name, m_secretValue->text(), m_secretStatus, [this, name](const QString &error) {
        if (!error.isEmpty()) {
            m_secretStatus->setStatus(tr("The keychain did not take it: %1").arg(error), Theme::Tone::Error);
            return;
        }
        m_secretValue->clear(); // the keychain has it; the panel need not hold it any longer
        m_secretStatus->setStatus(tr("Secret \"%1\" saved in the system keychain").arg(name), Theme::Tone::Ok);
    });
}

QWidget *TestSettingsPanel::buildScriptTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *note = new QLabel(
        tr("A WebPageTest script: one command a line, its arguments separated by tabs, // for a "
           "comment. Steps under <b>logData 0</b> (a login, say) are not measured; the page "
           "loaded after <b>logData 1</b> is. Write a password as <nobr>${secret:NAME}</nobr>, saved in the "
           "keychain on the login tab, never as itself. With a script, leave the address empty: "
           "the test starts at the script's first navigate."),
        page);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_script = new ScriptEditor(page);
    m_script->setObjectName(QStringLiteral("script"));
    layout->addWidget(m_script, 1);
    m_scriptError = errorLabel(page);
    layout->addWidget(m_scriptError);
    connect(m_script, &ScriptEditor::errorChanged, this, [this](const QString &error) {
        // While typing only the line's mark and this label change; settings() refuses a wrong script.
        m_scriptError->setVisible(!error.isEmpty());
        if (!error.isEmpty())
            m_scriptError->setStatus(error, Theme::Tone::Error);
    });
    return page;
}

TestSettings TestSettingsPanel::rememberable(const TestSettings &settings)
{
    TestSettings kept = settings;
    kept.secretValues.clear();
    for (HeaderSetting &header : kept.headers) {
        if (!header.isPublic && !onlyReferences(header.value))
            header.value = TestSettings::mask();
    }
    for (CookieSetting &cookie : kept.cookies) {
        if (!onlyReferences(cookie.value))
            cookie.value = TestSettings::mask();
    }
    return kept;
}

void TestSettingsPanel::remember(const TestSettings &settings)
{
    QJsonObject json;
    // Included: rememberable() has already put ••• where a value is secret, and references are not secrets.
    rememberable(settings).writeJson(json, TestSettings::Secrets::Included);
    AppSettings().testSettings.setValue(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
}

void TestSettingsPanel::restore()
{
    const QByteArray text = AppSettings().testSettings.value().toUtf8();
    if (text.isEmpty())
        return;
    JsonReader reader(QJsonDocument::fromJson(text).object());
    TestSettings settings;
    TestSettings::readJson(reader, settings);
    // Settings an older or newer app wrote and this one cannot read are left out rather than half taken.
    if (reader.ok())
        setSettings(settings);
}
