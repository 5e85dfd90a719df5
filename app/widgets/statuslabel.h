#pragma once

#include "theme.h"

#include <QLabel>

#include <optional>

// A line that says how something stands ("Valid: 3 regions.", "not in the keychain yet", "There is no file …"),
// in its tone's text colour from the Theme: green for fine, amber for a caveat, red for a problem. It takes the
// colour again whenever its palette changes, so switching between light and dark keeps it readable.
class StatusLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusLabel)

public:
    explicit StatusLabel(QWidget *parent = nullptr);

    void setStatus(const QString &text, Theme::Tone tone);
    // Until setStatus(), none: the label keeps the palette's text colour.
    std::optional<Theme::Tone> tone() const { return m_tone; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void recolour();

    std::optional<Theme::Tone> m_tone;
    bool m_recolouring = false;
};
