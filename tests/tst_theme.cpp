// The one theme: dark or light decided once from the Window role, the palette's roles read through, one error red
// per theme, tones readable as text and saturated as marks, and paper that is always light.

#include "darkpalette.h"
#include "theme.h"

#include <QPalette>
#include <QTest>

namespace {

QPalette lightPalette()
{
    QPalette light;
    light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    light.setColor(QPalette::WindowText, Qt::black);
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf7, 0xf7));
    light.setColor(QPalette::Text, Qt::black);
    light.setColor(QPalette::PlaceholderText, QColor(0x80, 0x80, 0x80));
    light.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
    return light;
}

// WCAG's contrast ratio of two opaque colours.
double contrast(const QColor &a, const QColor &b)
{
    const auto luminance = [](const QColor &c) {
        const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a) + 0.05;
    const double lb = luminance(b) + 0.05;
    return std::max(la, lb) / std::min(la, lb);
}

} // namespace

class tst_Theme : public QObject
{
    Q_OBJECT

private slots:
    void darkComesFromTheWindow();
    void rolesAreThePalettes();
    void oneErrorRedPerTheme();
    void textTonesReadOnTheirSurface();
    void paperIsLight();
    void mix();
};

void tst_Theme::darkComesFromTheWindow()
{
    QVERIFY(!Theme(lightPalette()).isDark());
    QVERIFY(Theme(darkPalette()).isDark());
    // A light window with a dark Base (a dark editor in a light app) is a light theme; the other way round too.
    QPalette mixed = lightPalette();
    mixed.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
    QVERIFY(!Theme(mixed).isDark());
    mixed = darkPalette();
    mixed.setColor(QPalette::Base, Qt::white);
    QVERIFY(Theme(mixed).isDark());
}

void tst_Theme::rolesAreThePalettes()
{
    const QPalette dark = darkPalette();
    const Theme theme(dark);
    QCOMPARE(theme.window(), dark.color(QPalette::Window));
    QCOMPARE(theme.windowText(), dark.color(QPalette::WindowText));
    QCOMPARE(theme.base(), dark.color(QPalette::Base));
    QCOMPARE(theme.alternateBase(), dark.color(QPalette::AlternateBase));
    QCOMPARE(theme.text(), dark.color(QPalette::Text));
    QCOMPARE(theme.muted(), dark.color(QPalette::PlaceholderText));
    QCOMPARE(theme.highlight(), dark.color(QPalette::Highlight));
    QCOMPARE(theme.text(Theme::Tone::Quiet), theme.muted());
    // A rule is between the base and the text, nearer the base.
    QVERIFY(theme.rule().lightness() > theme.base().lightness());
    QVERIFY(theme.rule().lightness() < (theme.base().lightness() + theme.text().lightness()) / 2);
}

void tst_Theme::oneErrorRedPerTheme()
{
    const Theme light(lightPalette());
    const Theme dark(darkPalette());
    QCOMPARE(light.error(), QColor(0xc5, 0x22, 0x1f));
    QCOMPARE(light.mark(Theme::Tone::Error), light.error());
    QCOMPARE(Theme::paper().error(), light.error());
    QCOMPARE(dark.error(), QColor(0xf2, 0x8b, 0x82));
    QCOMPARE(dark.mark(Theme::Tone::Error), dark.error());
}

void tst_Theme::textTonesReadOnTheirSurface()
{
    const Theme light(lightPalette());
    const Theme dark(darkPalette());
    for (const Theme::Tone tone : { Theme::Tone::Ok, Theme::Tone::Busy, Theme::Tone::Warning, Theme::Tone::Error }) {
        QVERIFY2(contrast(light.text(tone), light.base()) >= 4.5, qPrintable(light.text(tone).name()));
        QVERIFY2(contrast(dark.text(tone), dark.window()) >= 4.5, qPrintable(dark.text(tone).name()));
    }
    // The amber of a booting dot is too light for words on white: its text is darker.
    QVERIFY(light.text(Theme::Tone::Warning).lightness() < light.mark(Theme::Tone::Warning).lightness());
}

void tst_Theme::paperIsLight()
{
    const Theme paper = Theme::paper();
    QVERIFY(!paper.isDark());
    QCOMPARE(paper.window(), QColor(Qt::white));
    QCOMPARE(paper.base(), QColor(Qt::white));
    QVERIFY(contrast(paper.text(), paper.base()) > 12);
    QVERIFY(contrast(paper.muted(), paper.base()) >= 4.5);
    QVERIFY(paper.alternateBase() != paper.base());
}

void tst_Theme::mix()
{
    QCOMPARE(Theme::mix(Qt::black, Qt::white, 0), QColor(Qt::black));
    QCOMPARE(Theme::mix(Qt::black, Qt::white, 1), QColor(Qt::white));
    QCOMPARE(Theme::mix(Qt::black, Qt::white, 0.5).lightness(), 128);
    QVERIFY(std::abs(Theme::withAlpha(Qt::red, 0.5).alphaF() - 0.5f) < 0.01f); // 8 bits per channel
}

QTEST_GUILESS_MAIN(tst_Theme)
#include "tst_theme.moc"
