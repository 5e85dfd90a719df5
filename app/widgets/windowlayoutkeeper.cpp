#include "windowlayoutkeeper.h"

#include "appsettings.h"

#include <QEvent>
#include <QScreen>
#include <QSplitter>
#include <QTabWidget>
#include <QWidget>

#include <utility>

WindowLayoutKeeper::WindowLayoutKeeper(QWidget *window, QList<QSplitter *> splitters, QTabWidget *tabs, QSize preferred)
    : QObject(window)
    , m_window(window)
    , m_tabs(tabs)
    , m_preferred(preferred)
{
    for (QSplitter *splitter : splitters)
        m_splitters.append(splitter);
    window->installEventFilter(this);
}

QSize WindowLayoutKeeper::fitted(QSize preferred, QSize available)
{
    // A title bar and borders take about this much; a window taller than the screen's free height is cut off.
    const QSize frame(16, 48);
    return preferred.boundedTo(available - frame).expandedTo(QSize(1, 1));
}

void WindowLayoutKeeper::restore()
{
    if (!m_window)
        return;
    const AppSettings settings;
    const QByteArray geometry = settings.windowGeometry.value();
    if (geometry.isEmpty() || !m_window->restoreGeometry(geometry)) {
        const QRect available = m_window->screen()->availableGeometry();
        m_window->resize(fitted(m_preferred, available.size()));
        // The frame's share is a guess until shown; centring the inner size is close enough.
        m_window->move(available.center() - QPoint(m_window->width() / 2, m_window->height() / 2));
    }
    // A splitter's saved sizes are only kept as they were once it has its real size: before the window is shown it
    // has none yet, and squeezes them into the sizes of its panes' hints.
    m_splitterStates = settings.windowSplitters.value();
    if (m_window->isVisible())
        restoreSplitters();
    const int tab = settings.windowTab.value();
    if (m_tabs && tab >= 0 && tab < m_tabs->count())
        m_tabs->setCurrentIndex(tab);
}

void WindowLayoutKeeper::restoreSplitters()
{
    const QList<QByteArray> states = std::exchange(m_splitterStates, {});
    for (qsizetype i = 0; i < std::min(states.size(), m_splitters.size()); ++i) {
        if (m_splitters.at(i))
            m_splitters.at(i)->restoreState(states.at(i));
    }
}

void WindowLayoutKeeper::save() const
{
    if (!m_window)
        return;
    AppSettings settings;
    settings.windowGeometry.setValue(m_window->saveGeometry());
    QList<QByteArray> states;
    for (const QPointer<QSplitter> &splitter : m_splitters)
        states.append(splitter ? splitter->saveState() : QByteArray());
    settings.windowSplitters.setValue(states);
    if (m_tabs)
        settings.windowTab.setValue(m_tabs->currentIndex());
}

bool WindowLayoutKeeper::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Close)
        save();
    // Shown: laid out at its size, so the splitters have theirs.
    if (watched == m_window && event->type() == QEvent::Show && !m_splitterStates.isEmpty())
        restoreSplitters();
    return QObject::eventFilter(watched, event);
}
