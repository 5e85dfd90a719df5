#pragma once

#include <QPlainTextEdit>
#include <QString>

// Where a test's WebPageTest script is written (probe/SCRIPTS.md): a plain text editor that parses what is typed
// with TestScript, the one parser the CLI and the probe use too, and marks the line an error names, so a mistake
// shows at its line before the test is run rather than as a refusal from a probe. Tabs are kept as typed: they
// separate a command's arguments. Empty means no script.
class ScriptEditor final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit ScriptEditor(QWidget *parent = nullptr);

    QString script() const { return toPlainText(); }
    void setScript(const QString &text) { setPlainText(text); }
    // The parser's message ("line 3: unknown command \"setDns\""), empty while the script is good or empty.
    const QString &error() const { return m_error; }
    // The 1-based line the error names; 0 when there is none, or when it is about the whole script.
    int errorLine() const { return m_errorLine; }
    bool isValid() const { return m_error.isEmpty(); }

signals:
    // After each change of the text: the new error, or an empty string once the script is good again.
    void errorChanged(const QString &error);

private:
    void check();

    QString m_error;
    int m_errorLine = 0;
};
