#include "theme.h"

#include <QPalette>

#include <array>

namespace {

struct ToneColors
{
    QColor lightText;
    QColor lightMark;
    QColor dark; // light enough on a dark surface for words and dots alike
};

// Material-like hues, as Google's apps use them: text on white at 4.5:1 or better, dots saturated; on dark the
// 200-level tints.
const std::array<ToneColors, 5> tones { {
    { QColor(0x5f, 0x63, 0x68), QColor(0x80, 0x86, 0x8b), QColor(0x9a, 0xa0, 0xa6) }, // Quiet
    { QColor(0x18, 0x80, 0x38), QColor(0x1e, 0x8e, 0x3e), QColor(0x81, 0xc9, 0x95) }, // Ok
    { QColor(0x1a, 0x73, 0xe8), QColor(0x1a, 0x73, 0xe8), QColor(0x8a, 0xb4, 0xf8) }, // Busy
    { QColor(0xa8, 0x5d, 0x00), QColor(0xf0, 0x9a, 0x0a), QColor(0xfd, 0xd6, 0x63) }, // Warning
    { QColor(0xc5, 0x22, 0x1f), QColor(0xc5, 0x22, 0x1f), QColor(0xf2, 0x8b, 0x82) }, // Error
} };

} // namespace

Theme::Theme(const QPalette &palette)
    : m_dark(palette.color(QPalette::Window).lightness() < 128)
    , m_window(palette.color(QPalette::Window))
    , m_windowText(palette.color(QPalette::WindowText))
    , m_base(palette.color(QPalette::Base))
    , m_alternateBase(palette.color(QPalette::AlternateBase))
    , m_text(palette.color(QPalette::Text))
    , m_muted(palette.color(QPalette::PlaceholderText))
    , m_highlight(palette.color(QPalette::Highlight))
    , m_link(palette.color(QPalette::Link))
    , m_rule(mix(m_base, m_text, m_dark ? 0.16 : 0.10))
{ }

Theme Theme::paper()
{
    Theme paper;
    paper.m_window = Qt::white;
    paper.m_base = Qt::white;
    paper.m_alternateBase = QColor(0xf8, 0xf9, 0xfa);
    paper.m_windowText = QColor(0x20, 0x21, 0x24);
    paper.m_text = paper.m_windowText;
    paper.m_muted = tones[int(Tone::Quiet)].lightText;
    paper.m_highlight = QColor(0x1a, 0x73, 0xe8);
    paper.m_link = QColor(0x1a, 0x0d, 0xab);
    paper.m_rule = QColor(0xda, 0xdc, 0xe0);
    return paper;
}

QColor Theme::text(Tone tone) const
{
    if (tone == Tone::Quiet)
        return m_muted;
    const ToneColors &colors = tones[int(tone)];
    return m_dark ? colors.dark : colors.lightText;
}

QColor Theme::mark(Tone tone) const
{
    const ToneColors &colors = tones[int(tone)];
    return m_dark ? colors.dark : colors.lightMark;
}

QColor Theme::mix(const QColor &a, const QColor &b, double t)
{
    const auto channel = [t](float x, float y) { return float(x + (y - x) * t); };
    return QColor::fromRgbF(channel(a.redF(), b.redF()), channel(a.greenF(), b.greenF()), channel(a.blueF(), b.blueF()),
        channel(a.alphaF(), b.alphaF()));
}

QColor Theme::withAlpha(QColor color, double alpha)
{
    color.setAlphaF(float(alpha));
    return color;
}
