#include "testform.h"

#include "appsettings.h"
#include "model/connectivityprofile.h"
#include "model/deviceprofile.h"
#include "model/testscript.h"
#include "testaddress.h"
#include "testrecord.h"
#include "testsettingspanel.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

TestForm::TestForm(SecretStore *secrets, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_testSettings = new TestSettingsPanel(secrets, this);
    m_testSettings->restore();
    buildAddressLine();
    buildSettingsLine();
    buildErrorLine();
    restore();
    // Tab goes as the eye reads: the address line, then the settings line left to right.
    setTabOrder(m_url, m_go);
    setTabOrder(m_go, m_cancel);
    setTabOrder(m_cancel, m_regionsButton);
    setTabOrder(m_regionsButton, m_profile);
    setTabOrder(m_profile, m_device);
    setTabOrder(m_device, m_cpuSlowdown);
    setTabOrder(m_cpuSlowdown, m_cpuRelative);
    setTabOrder(m_cpuRelative, m_runs);
    setTabOrder(m_runs, m_repeatView);
    setTabOrder(m_repeatView, m_screenshot);
    setTabOrder(m_screenshot, m_filmstrip);
    setTabOrder(m_filmstrip, m_testSettingsButton);
}

void TestForm::buildAddressLine()
{
    m_url = new QLineEdit(this);
    m_url->setPlaceholderText(tr("https://example.com/"));
    m_url->setClearButtonEnabled(true);
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setAccessibleName(tr("Address to test"));
    m_go = new QPushButton(tr("Go"), this);
    // Not a "default" button: a window has none (Return in the address starts the test), and in most styles a
    // default button's frame is the focus frame, so that focus on it could not be seen. Bold says it is the main one.
    QFont bold = m_go->font();
    bold.setBold(true);
    m_go->setFont(bold);
    m_go->setToolTip(tr("Run the test (F5)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    m_cancel->setToolTip(tr("Cancel the running test (Esc)"));
    auto *line = new QHBoxLayout;
    line->addWidget(m_url, 1);
    line->addWidget(m_go);
    line->addWidget(m_cancel);
    qobject_cast<QVBoxLayout *>(layout())->addLayout(line);
    connect(m_url, &QLineEdit::returnPressed, this, &TestForm::submit);
    connect(m_go, &QPushButton::clicked, this, &TestForm::submit);
    connect(m_cancel, &QPushButton::clicked, this, &TestForm::cancelRequested);
}

void TestForm::buildSettingsLine()
{
    // The test's settings on a line of their own: beside the address they left it a few characters wide in a
    // 1024-pixel window.
    m_regionsButton = new QToolButton(this);
    m_regionsButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_regionsButton->setObjectName(QStringLiteral("regionsButton"));
    m_profile = new QComboBox(this);
    m_profile->addItems(ConnectivityProfile::names());
    m_profile->setToolTip(tr("Network to emulate (WebPageTest's profiles)"));
    m_profile->setAccessibleName(tr("Network profile"));
    m_device = new QComboBox(this);
    m_device->setObjectName(QStringLiteral("device"));
    m_device->setEditable(true);
    m_device->setInsertPolicy(QComboBox::NoInsert);
    for (const DeviceProfile &device : DeviceProfile::presets())
        m_device->addItem(device.name);
    m_device->setToolTip(tr("Device to load the page as: a preset, or type WIDTHxHEIGHT[@DPR][,mobile]"));
    m_device->setAccessibleName(tr("Device"));
    m_cpuSlowdown = new QSpinBox(this);
    m_cpuSlowdown->setObjectName(QStringLiteral("cpuSlowdown"));
    m_cpuSlowdown->setRange(0, LoadOptions::maxCpuSlowdown);
    m_cpuSlowdown->setPrefix(tr("CPU: "));
    m_cpuSlowdown->setSuffix(QStringLiteral("×"));
    m_cpuSlowdown->setSpecialValueText(tr("CPU: device's"));
    m_cpuSlowdown->setToolTip(tr("Slow the page's CPU down this many times; \"device's\": the device's own default "
                                 "(4× for moto-g-power, as Lighthouse's mobile setting, else none)"));
    m_cpuSlowdown->setAccessibleName(tr("CPU slowdown"));
    // Never narrower than its longest text: the layout would otherwise cut "device's" in a small window.
    m_cpuSlowdown->setMinimumWidth(m_cpuSlowdown->sizeHint().width());
    m_cpuRelative = new QCheckBox(tr("relative"), this);
    m_cpuRelative->setObjectName(QStringLiteral("cpuRelative"));
    m_cpuRelative->setToolTip(tr("The slowdown is relative to the reference machine: each region's probe slows its "
                                 "own CPU so that the page runs as on the reference, whatever the probe's hardware"));
    m_runs = new QSpinBox(this);
    m_runs->setRange(1, 9);
    m_runs->setPrefix(tr("Runs: "));
    m_runs->setAccessibleName(tr("Runs per region"));
    m_repeatView = new QCheckBox(tr("Repeat view"), this);
    m_screenshot = new QCheckBox(tr("Screenshot"), this);
    m_filmstrip = new QCheckBox(tr("Filmstrip"), this);
    m_filmstrip->setObjectName(QStringLiteral("filmstrip"));
    m_filmstrip->setToolTip(tr("Record how the first view paints, for Speed Index and the visual change times"));
    m_testSettingsButton = m_testSettings->makeButton(this);
    auto *line = new QHBoxLayout;
    for (QWidget *widget : std::initializer_list<QWidget *> { m_regionsButton, m_profile, m_device, m_cpuSlowdown,
             m_cpuRelative, m_runs, m_repeatView, m_screenshot, m_filmstrip, m_testSettingsButton })
        line->addWidget(widget);
    line->addStretch();
    qobject_cast<QVBoxLayout *>(layout())->addLayout(line);
    connect(m_regionsButton, &QToolButton::clicked, this, &TestForm::regionsRequested);
}

void TestForm::buildErrorLine()
{
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("urlError"));
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, Theme(errorPalette).error());
    m_error->setPalette(errorPalette);
    // Its line stays reserved when hidden, so that a message does not push everything below it down.
    QSizePolicy keepRoom = m_error->sizePolicy();
    keepRoom.setRetainSizeWhenHidden(true);
    m_error->setSizePolicy(keepRoom);
    m_error->setVisible(false);
    layout()->addWidget(m_error);
    connect(m_url, &QLineEdit::textChanged, m_error, &QWidget::hide);
    connect(m_testSettings, &TestSettingsPanel::changed, m_error, &QWidget::hide);
}

void TestForm::restore()
{
    const AppSettings settings;
    m_url->setText(settings.testUrl.value());
    m_profile->setCurrentText(settings.testProfile.value());
    m_device->setCurrentText(settings.testDevice.value());
    m_cpuSlowdown->setValue(settings.testCpuSlowdown.value());
    m_cpuRelative->setChecked(settings.testCpuRelative.value());
    m_runs->setValue(settings.testRuns.value());
    m_repeatView->setChecked(settings.testRepeatView.value());
    m_screenshot->setChecked(settings.testScreenshot.value());
    m_filmstrip->setChecked(settings.testFilmstrip.value());
}

void TestForm::remember(const RunController::Request &request) const
{
    TestSettingsPanel::remember(request.options.test);
    AppSettings settings;
    settings.testUrl.setValue(m_url->text());
    settings.testProfile.setValue(request.options.profile);
    settings.testDevice.setValue(request.options.device);
    settings.testCpuSlowdown.setValue(request.options.cpuSlowdown.value_or(0));
    settings.testCpuRelative.setValue(request.options.cpuSlowdownRelative);
    settings.testRuns.setValue(request.runs);
    settings.testRepeatView.setValue(request.options.repeatView);
    settings.testScreenshot.setValue(request.options.screenshot);
    settings.testFilmstrip.setValue(request.options.filmstrip);
}

void TestForm::showSettingsOf(const TestRecord &test)
{
    m_url->setText(test.url);
    m_profile->setCurrentText(test.options.profile);
    m_device->setCurrentText(test.options.device);
    m_cpuSlowdown->setValue(test.options.cpuSlowdown.value_or(0));
    m_cpuRelative->setChecked(test.options.cpuSlowdownRelative);
    m_runs->setValue(test.runsPerRegion);
    m_repeatView->setChecked(test.options.repeatView);
    m_screenshot->setChecked(test.options.screenshot);
    m_filmstrip->setChecked(test.options.filmstrip);
    m_testSettings->setSettings(test.options.test);
}

void TestForm::submit()
{
    QString error;
    const auto settings = m_testSettings->settings();
    if (!settings)
        return showError(tr("Test settings: %1").arg(m_testSettings->firstError()), m_testSettingsButton);
    const QString address = testAddress(*settings, &error);
    if (!error.isEmpty())
        return showError(error, m_url);
    const auto url = TestAddress::parse(address, &error);
    if (!url)
        return showError(error, m_url);
    const auto device = DeviceProfile::parse(m_device->currentText(), &error);
    if (!device)
        return showError(error, m_device);
    RunController::Request request;
    request.url = *url;
    request.options.test = *settings;
    request.options.profile = m_profile->currentText();
    request.options.device = device->name;
    if (m_cpuSlowdown->value() > 0)
        request.options.cpuSlowdown = m_cpuSlowdown->value();
    request.options.cpuSlowdownRelative = m_cpuRelative->isChecked();
    request.options.repeatView = m_repeatView->isChecked();
    request.options.screenshot = m_screenshot->isChecked();
    request.options.filmstrip = m_filmstrip->isChecked();
    request.runs = m_runs->value();
    m_testSettings->withSecrets(
        request.options.test, m_go, [this, request](const TestSettings &resolved, const QString &problem) mutable {
            if (!problem.isEmpty())
                return showError(tr("Test settings: %1").arg(problem), m_testSettingsButton);
            request.options.test = resolved;
            emit submitted(request);
        });
}

QString TestForm::testAddress(const TestSettings &settings, QString *error) const
{
    const QString typed = m_url->text().trimmed();
    if (settings.script.isEmpty())
        return typed;
    // A script says where to go with its navigate, as on the command line; an address that disagrees with it would
    // be silently ignored, so it is refused instead (an empty one, or the same, is fine).
    const auto script = TestScript::parse(settings.script, nullptr);
    const QString start = script ? script->firstUrl() : QString();
    if (!typed.isEmpty() && typed != start) {
        *error = tr("The test's script starts at %1: clear the address, or make it the script's first navigate")
                     .arg(start);
        return QString();
    }
    return start;
}

void TestForm::showError(const QString &error, QWidget *focus)
{
    m_error->setText(error);
    m_error->setVisible(true);
    if (focus)
        focus->setFocus();
}

void TestForm::setRunning(bool running)
{
    m_go->setEnabled(!running);
    m_cancel->setEnabled(running);
}

void TestForm::setRegions(const QStringList &codes)
{
    // Short, for a 1024-pixel window's settings line; the tool tip names them.
    m_regionsButton->setText(
        codes.size() == 1 ? tr("Region: %1").arg(codes.first()) : tr("Regions: %1").arg(codes.size()));
    m_regionsButton->setToolTip(tr("Regions to test in: %1 (click to choose)").arg(codes.join(QStringLiteral(", "))));
}
