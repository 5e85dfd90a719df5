#include "scripteditor.h"

#include "model/testscript.h"

#include <QFontDatabase>
#include <QRegularExpression>
#include <QTextBlock>

ScriptEditor::ScriptEditor(QWidget *parent)
    : QPlainTextEdit(parent)
{
    // A script's columns line up at tabs, as in the editors people write WebPageTest scripts in.
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 16);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setPlaceholderText(tr("logData\t0\nnavigate\thttps://example.com/login\nsetValue\tname=user\talice\n"
                          "submitForm\tid=login\nlogData\t1\nnavigate\thttps://example.com/account"));
    connect(this, &QPlainTextEdit::textChanged, this, &ScriptEditor::check);
}

void ScriptEditor::check()
{
    QString error;
    const QString text = toPlainText();
    if (!text.trimmed().isEmpty())
        TestScript::parse(text, &error);
    static const QRegularExpression numbered(QStringLiteral("^line (\\d+): "));
    const QRegularExpressionMatch match = numbered.match(error);
    m_errorLine = match.hasMatch() ? match.captured(1).toInt() : 0;

    QList<QTextEdit::ExtraSelection> marks;
    if (m_errorLine > 0) {
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(document()->findBlockByNumber(m_errorLine - 1));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        // The palette's own colours, blended, so the mark reads in a light and a dark theme alike.
        QColor tint = palette().color(QPalette::Base);
        const QColor red(Qt::red);
        tint.setRgbF(0.7f * tint.redF() + 0.3f * red.redF(), 0.7f * tint.greenF() + 0.3f * red.greenF(),
            0.7f * tint.blueF() + 0.3f * red.blueF());
        mark.format.setBackground(tint);
        mark.format.setToolTip(error);
        marks.append(mark);
    }
    setExtraSelections(marks);
    setToolTip(error);
    if (error != m_error) {
        m_error = error;
        emit errorChanged(m_error);
    }
}
