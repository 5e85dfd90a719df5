#pragma once

#include "runcontroller.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;
class SecretStore;
class TestSettingsPanel;
struct TestRecord;

// The form a test starts from: the address with Go and Cancel on one line, the test's settings (regions, network,
// device, CPU, runs, views, the Test settings panel) on the next, and a line for what is wrong with them. It turns
// what was typed into a RunController::Request (submitted()), keeps what was last started in the AppSettings, and
// takes a stored test's settings when one is reopened. Starting the request and choosing regions are the window's.
class TestForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestForm)

public:
    // `secrets` is not owned and may be null; the Test settings panel reads and saves secrets through it.
    explicit TestForm(SecretStore *secrets, QWidget *parent = nullptr);

    // Reads the form into a request: on a mistake the error line says what and the field at fault takes the focus;
    // else, once the test settings' secrets are read, submitted() with the request (its regions left to the caller).
    void submit();
    // The request was started: it becomes what the form offers next time.
    void remember(const RunController::Request &request) const;
    // A stored test's settings, so that Go tests the same again.
    void showSettingsOf(const TestRecord &test);
    // The error line, and the focus to the field at fault.
    void showError(const QString &error, QWidget *focus = nullptr);
    // Go while no test runs, Cancel while one does.
    void setRunning(bool running);
    // The regions button's words for the regions a test would run in.
    void setRegions(const QStringList &codes);

    // The parts a person uses, for the window's shortcuts and for tests.
    QLineEdit *urlField() const { return m_url; }
    QPushButton *goButton() const { return m_go; }
    QPushButton *cancelButton() const { return m_cancel; }
    QLabel *errorLine() const { return m_error; }
    QToolButton *regionsButton() const { return m_regionsButton; }
    QComboBox *profileChoice() const { return m_profile; }
    QComboBox *deviceChoice() const { return m_device; }
    QSpinBox *cpuSlowdownChoice() const { return m_cpuSlowdown; }
    QCheckBox *cpuRelativeChoice() const { return m_cpuRelative; }
    QSpinBox *runsChoice() const { return m_runs; }
    QCheckBox *repeatViewChoice() const { return m_repeatView; }
    QCheckBox *screenshotChoice() const { return m_screenshot; }
    QCheckBox *filmstripChoice() const { return m_filmstrip; }
    TestSettingsPanel *testSettings() const { return m_testSettings; }
    QPushButton *testSettingsButton() const { return m_testSettingsButton; }

signals:
    void submitted(const RunController::Request &request);
    void cancelRequested();
    void regionsRequested();

private:
    void buildAddressLine();
    void buildSettingsLine();
    void buildErrorLine();
    void restore();
    // Where the test starts: the address typed, or with a script its first navigate (an address that disagrees
    // with the script is an error, in *error).
    QString testAddress(const TestSettings &settings, QString *error) const;

    QLineEdit *m_url = nullptr;
    QPushButton *m_go = nullptr;
    QPushButton *m_cancel = nullptr;
    QToolButton *m_regionsButton = nullptr;
    QComboBox *m_profile = nullptr;
    QComboBox *m_device = nullptr; // editable: a preset, or WIDTHxHEIGHT[@DPR][,mobile] typed in
    QSpinBox *m_cpuSlowdown = nullptr; // 0: the device's default
    QCheckBox *m_cpuRelative = nullptr; // the slowdown is relative to the reference machine
    QSpinBox *m_runs = nullptr;
    QCheckBox *m_repeatView = nullptr;
    QCheckBox *m_screenshot = nullptr;
    QCheckBox *m_filmstrip = nullptr;
    TestSettingsPanel *m_testSettings = nullptr;
    QPushButton *m_testSettingsButton = nullptr;
    QLabel *m_error = nullptr;
};
