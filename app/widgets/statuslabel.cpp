#include "statuslabel.h"

#include <QEvent>

StatusLabel::StatusLabel(QWidget *parent)
    : QLabel(parent)
{
    setWordWrap(true);
}

void StatusLabel::setStatus(const QString &text, Theme::Tone tone)
{
    setText(text);
    m_tone = tone;
    recolour();
}

void StatusLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_tone && !m_recolouring)
        recolour();
}

void StatusLabel::recolour()
{
    // Setting the colour is itself a palette change.
    m_recolouring = true;
    QPalette pal = palette();
    pal.setColor(QPalette::WindowText, Theme(pal).text(*m_tone));
    setPalette(pal);
    m_recolouring = false;
}
