// libFuzzer target: a WebPageTest script (TestScript::parse), as `--script FILE` reads it from disk and a probe reads
// it from a run's options: any bytes, as UTF-8. Each input must give exactly a script or an error; an error names a
// line of the text (or none, for what is wrong with the script as a whole); a script's measured steps are page loads,
// in order and its commands are in line order; and the options that carry it survive toJson() → fromJson() unchanged.

#include "fuzzcheck.h"
#include "model/loadoptions.h"
#include "model/testscript.h"

#include <QRegularExpression>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    QString error;
    const std::optional<TestScript> script = TestScript::parse(text, &error);
    fuzzExpect(script.has_value() == error.isEmpty(), QStringLiteral("a script and an error, or neither: ") + error);
    const qsizetype lines = text.count(u'\n') + 1;
    if (!script) {
        static const QRegularExpression numbered(QStringLiteral("^line (\\d+): "));
        const QRegularExpressionMatch match = numbered.match(error);
        if (match.hasMatch()) {
            const qsizetype line = match.captured(1).toLongLong();
            fuzzExpect(line >= 1 && line <= lines, QStringLiteral("an error on a line the text lacks: ") + error);
        }
        return 0;
    }
    fuzzExpect(!script->commands().isEmpty(), QStringLiteral("a script without commands"));
    const QList<qsizetype> &steps = script->measuredSteps();
    fuzzExpect(
        !steps.isEmpty() && steps.size() <= TestScript::maxSteps, QStringLiteral("a count of steps out of range"));
    qsizetype before = -1;
    for (const qsizetype step : steps) {
        fuzzExpect(step > before && step < script->commands().size() && script->commands().at(step).loadsPage(),
            QStringLiteral("a measured step is not a page load, or out of order"));
        before = step;
    }
    int previous = 0;
    for (const ScriptCommand &command : script->commands()) {
        fuzzExpect(command.line > previous && command.line <= lines, QStringLiteral("commands out of line order"));
        previous = command.line;
    }
    LoadOptions options;
    options.test.script = text;
    QString again;
    const std::optional<LoadOptions> reread = LoadOptions::fromJson(options.toJson(), &again);
    fuzzExpect(reread.has_value(), QStringLiteral("what was parsed is refused from the options: ") + again);
    fuzzExpect(*reread == options, QStringLiteral("the round trip changed the options"));
    return 0;
}
