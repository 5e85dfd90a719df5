#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSize>

class QSplitter;
class QTabWidget;
class QWidget;

// Keeps a window's size and place, where its splitters were dragged and which tab was open, from one session to the
// next: saved in AppSettings when the window closes, the way Qt saves them (QWidget::saveGeometry,
// QSplitter::saveState), and put back by restore(). At first start the window gets its preferred size, shrunk to the
// screen it opens on (a 1400×900 window does not fit a 1366×768 laptop) and centred there; a saved place no longer on
// any screen is moved onto one by Qt.
class WindowLayoutKeeper final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowLayoutKeeper)

public:
    WindowLayoutKeeper(QWidget *window, QList<QSplitter *> splitters, QTabWidget *tabs, QSize preferred);

    // Before the window is first shown.
    void restore();
    void save() const;

    // The preferred size within `available` (a screen's available geometry), with room for the window manager's
    // frame, which is not known before the window is shown.
    static QSize fitted(QSize preferred, QSize available);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void restoreSplitters();

    QPointer<QWidget> m_window;
    QList<QPointer<QSplitter>> m_splitters;
    QPointer<QTabWidget> m_tabs;
    QSize m_preferred;
    QList<QByteArray> m_splitterStates; // read by restore(), until the window is shown
};
