#pragma once

#include <QColor>

class QPalette;

// Every colour that is not a measurement's own, and whether the surface is dark, decided once from a palette: the
// widgets build one from their palette() in each paint or palette change, and the painters take one. The PDF is
// printed, so it uses paper(), light whatever the app's theme.
//
// A surface is dark when its Window role is darker than mid-grey: the role the whole window shows, so a widget on
// Base (a list, the waterfall) and one on Window (a chart, the map) agree. A tone has two colours: text() is for
// words and thin lines on the surface (dark enough on light, light enough on dark, to read at body size), mark()
// for filled dots and glyphs (the saturated hue). The error red is the same in both: one value per theme.
//
// The colours of what is measured (load time, phases, metrics) are not here: LoadTimeScale, WaterfallGeometry and
// MetricsBarChart keep those, the same on screen and on paper.
class Theme final
{
public:
    enum class Tone {
        Quiet, // stopped, unknown, not measured
        Ok, // measured, valid, ready
        Busy, // running, loading
        Warning, // booting, a setting that works with a caveat
        Error, // failed, invalid
    };

    explicit Theme(const QPalette &palette);
    // Paper: white, the report's inks; never dark.
    static Theme paper();

    bool isDark() const { return m_dark; }

    QColor window() const { return m_window; }
    QColor windowText() const { return m_windowText; }
    QColor base() const { return m_base; } // behind rows and fields
    QColor alternateBase() const { return m_alternateBase; } // every other row
    QColor text() const { return m_text; } // on base
    QColor muted() const { return m_muted; } // secondary text: captions, summaries, axis labels
    QColor highlight() const { return m_highlight; } // the selection
    QColor link() const { return m_link; }
    // A rule or grid line on base: there, but quieter than any text.
    QColor rule() const { return m_rule; }

    QColor text(Tone tone) const;
    QColor mark(Tone tone) const;
    QColor error() const { return text(Tone::Error); }
    QColor warning() const { return text(Tone::Warning); }
    QColor ok() const { return text(Tone::Ok); }

    // `a` moved towards `b` by t (0: a, 1: b), alpha included.
    static QColor mix(const QColor &a, const QColor &b, double t);
    static QColor withAlpha(QColor color, double alpha);

private:
    Theme() = default;

    bool m_dark = false;
    QColor m_window;
    QColor m_windowText;
    QColor m_base;
    QColor m_alternateBase;
    QColor m_text;
    QColor m_muted;
    QColor m_highlight;
    QColor m_link;
    QColor m_rule;
};
