// ScriptEditor: a script's syntax error is shown at its line as it is typed, and goes once it is fixed.
#include "scripteditor.h"

#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>

class tst_ScriptEditor : public QObject
{
    Q_OBJECT

private slots:
    void marksTheLineOfAnError();
    void wholeScriptErrorsMarkNoLine();
};

void tst_ScriptEditor::marksTheLineOfAnError()
{
    ScriptEditor editor;
    QVERIFY(editor.isValid()); // empty: no script
    QSignalSpy changed(&editor, &ScriptEditor::errorChanged);
    editor.setScript(QStringLiteral("logData\t0\nnavigate\thttp://a.test/\nsetDns\ta\tb\nlogData\t1\n"
                                    "navigate\thttp://a.test/b\n"));
    QCOMPARE(editor.error(), QStringLiteral("line 3: unknown command \"setDns\""));
    QCOMPARE(editor.errorLine(), 3);
    QCOMPARE(changed.size(), 1);
    const QList<QTextEdit::ExtraSelection> marks = editor.extraSelections();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(marks.first().cursor.block().blockNumber(), 2);
    QCOMPARE(marks.first().cursor.block().text(), QStringLiteral("setDns\ta\tb"));

    // Fixing the line clears the mark.
    QTextCursor cursor(editor.document()->findBlockByNumber(2));
    cursor.select(QTextCursor::LineUnderCursor);
    cursor.insertText(QStringLiteral("setValue\tid=q\tx"));
    QVERIFY(editor.isValid());
    QCOMPARE(editor.errorLine(), 0);
    QVERIFY(editor.extraSelections().isEmpty());
    QCOMPARE(changed.last().first().toString(), QString());
    QCOMPARE(editor.script().count(u'\n'), 5);
}

void tst_ScriptEditor::wholeScriptErrorsMarkNoLine()
{
    ScriptEditor editor;
    editor.setScript(QStringLiteral("// nothing yet\n"));
    QCOMPARE(editor.error(), QStringLiteral("the script navigates nowhere: it needs a navigate"));
    QCOMPARE(editor.errorLine(), 0);
    QVERIFY(editor.extraSelections().isEmpty());
}

QTEST_MAIN(tst_ScriptEditor)
#include "tst_scripteditor.moc"
